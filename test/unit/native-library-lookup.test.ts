// The FFI layer both native libraries load through: which file it picks, what it says when there is
// none, and the status names it reads from the libraries themselves.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CPU_LIBRARY, loadNativeCpuLibrary } from '../../src/backends/cpu/native-library.js';
import { FPGA_LIBRARY } from '../../src/backends/fpga/bridge.js';
import { builtLibraryPath, findNativeLibrary, NativeLibrary, prebuiltLibraryPath, prebuiltPlatform } from '../../src/backends/ffi.js';
import { BackendUnavailableError } from '../../src/runtime/errors.js';

/** A package root of its own, holding copies of the library where the lookup looks. */
const root = mkdtempSync(join(tmpdir(), 'evm-accel-lookup-'));
const built = builtLibraryPath(CPU_LIBRARY);

afterEach(() => vi.unstubAllEnvs());
afterAll(() => rmSync(root, { recursive: true, force: true }));

function place(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  copyFileSync(built, path);
}

describe('native library lookup', () => {
  it('knows this machine as linux-x64-gnu or linux-arm64-gnu', () => {
    expect(prebuiltPlatform()).toBe(`linux-${process.arch}-gnu`);
  });

  it('says exactly what to run when neither a prebuilt nor a built library is there', () => {
    expect(() => findNativeLibrary(CPU_LIBRARY, root)).toThrow(BackendUnavailableError);
    expect(() => findNativeLibrary(CPU_LIBRARY, root)).toThrow(
      `libevmaccel_cpu.so not found (the prebuilt library is missing from the package): run \`make -C ${root}/native/cpu\`; looked in ${root}/native/prebuilt/linux-${process.arch}-gnu/libevmaccel_cpu.so, ${root}/native/build/libevmaccel_cpu.so`,
    );
    expect(() => findNativeLibrary(FPGA_LIBRARY, root)).toThrow(`(not shipped prebuilt): run \`make -C ${root}/native/fpga\` (needs verilator)`);
  });

  it('takes the library built in the package, and the prebuilt one for the platform before it', () => {
    place(builtLibraryPath(CPU_LIBRARY, root));
    expect(findNativeLibrary(CPU_LIBRARY, root)).toBe(join(root, 'native', 'build', 'libevmaccel_cpu.so'));
    place(prebuiltLibraryPath(CPU_LIBRARY, root)!);
    expect(findNativeLibrary(CPU_LIBRARY, root)).toBe(join(root, 'native', 'prebuilt', `linux-${process.arch}-gnu`, 'libevmaccel_cpu.so'));
  });

  it('takes the path in the environment variable over both, and refuses one that names no file', () => {
    vi.stubEnv('EVM_ACCEL_CPU_LIB', built);
    expect(findNativeLibrary(CPU_LIBRARY, root)).toBe(built);
    vi.stubEnv('EVM_ACCEL_CPU_LIB', join(root, 'nothing.so'));
    expect(() => findNativeLibrary(CPU_LIBRARY, root)).toThrow(/EVM_ACCEL_CPU_LIB=\S*nothing\.so names no file: unset it/);
  });

  it('refuses a library of the wrong ABI or without the entry points, saying to rebuild', () => {
    expect(() => NativeLibrary.open({ ...CPU_LIBRARY, abi: { ...CPU_LIBRARY.abi, version: 999 } }, built)).toThrow(
      /has ABI version 2, this code needs 999: rebuild with `make -C \S+native\/cpu`/,
    );
    expect(() => NativeLibrary.open(FPGA_LIBRARY, built)).toThrow(/lacks the expected entry points/);
  });
});

describe('status names come from the C library', () => {
  it('cpu-native names its codes', () => {
    const lib = loadNativeCpuLibrary(built);
    expect([0, -1, -2, -99].map((c) => lib.statusName(c))).toEqual(['EVMACCEL_OK', 'EVMACCEL_EBOUNDS', 'EVMACCEL_ECONTEXT', 'EVMACCEL_EUNKNOWN']);
    expect(lib.secp256k1Version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('the FPGA bridge names its codes', () => {
    const lib = NativeLibrary.open(FPGA_LIBRARY, builtLibraryPath(FPGA_LIBRARY));
    expect([0, -3, -5, -99].map((c) => lib.statusName(c))).toEqual(['EAF_OK', 'EAF_E_TIMEOUT', 'EAF_E_CORRUPT', 'EAF_E_UNKNOWN']);
  });
});
