import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import { BackendUnavailableError } from '../../runtime/errors.js';
import { packageRoot } from '../../package-root.js';

/** Must equal EVMACCEL_CPU_ABI_VERSION in native/cpu/evm_accel_cpu.h. */
const ABI_VERSION = 1;

/** Return codes of the C entry points (evm_accel_cpu.h). */
export const NATIVE_OK = 0;
/** An (offset, length) pair reaches past the end of the data buffer: the caller's input is malformed. */
export const NATIVE_EBOUNDS = -1;
const NATIVE_ERRORS: Record<number, string> = {
  [-1]: 'an (offset, length) pair reaches past the end of the data buffer',
  [-2]: 'libsecp256k1 could not create its context',
};

/** What a native return code means, for error messages. */
export function describeNativeError(code: number): string {
  return NATIVE_ERRORS[code] ?? `unknown error code ${code}`;
}

/**
 * The C kernels of native/cpu, bound with koffi. Each batch call runs on a koffi worker thread
 * (never on the JS thread) and resolves to the C return code; the C side may start more threads.
 * The typed arrays are handed to C without copying and must not be touched until the call settles.
 */
export interface NativeCpuLibrary {
  /** Absolute path of the loaded shared library. */
  readonly path: string;
  /** The Keccak code the CPU runs: 'avx2-x4' (four messages per AVX2 pass) or 'scalar'. */
  readonly keccakImpl: string;
  keccak256(data: Uint8Array, offsets: Uint32Array, count: number, out: Uint8Array, threads: number): Promise<number>;
  /**
   * The same on the calling thread, for batches of a few µs of work, where an async call's
   * dispatch (tens of µs) would cost more than the hashing.
   */
  keccak256Sync(data: Uint8Array, offsets: Uint32Array, count: number, out: Uint8Array): number;
  ecrecover(records: Uint8Array, count: number, keys: Uint8Array, valid: Uint8Array, threads: number): Promise<number>;
  recoverAddresses(
    records: Uint8Array,
    count: number,
    addresses: Uint8Array,
    valid: Uint8Array,
    threads: number,
  ): Promise<number>;
}

/** Where `make -C native` puts the library. */
export function nativeLibraryPath(): string {
  return join(packageRoot(), 'native', 'build', 'libevmaccel_cpu.so');
}

type NativeFunction = ReturnType<LibraryHandle['func']>;

const loaded = new Map<string, NativeCpuLibrary>();

/**
 * Loads the library (once per process and path; default: where the build puts it). Throws
 * BackendUnavailableError when it is not built, cannot be loaded (e.g. libsecp256k1 missing) or
 * was built from another version of the header.
 */
export function loadNativeCpuLibrary(path = nativeLibraryPath()): NativeCpuLibrary {
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new BackendUnavailableError('cpu-native', `native library not built: run \`make -C native\` (expected ${path})`);
  }
  let lib: LibraryHandle;
  try {
    lib = koffi.load(path);
  } catch (e) {
    throw new BackendUnavailableError('cpu-native', `cannot load ${path}: ${(e as Error).message}`);
  }
  let bound: NativeCpuLibrary;
  try {
    bound = bind(lib, path);
  } catch (e) {
    if (e instanceof BackendUnavailableError) throw e;
    throw new BackendUnavailableError(
      'cpu-native',
      `${path} lacks the expected entry points (${(e as Error).message}): rebuild with \`make -C native\``,
    );
  }
  loaded.set(path, bound);
  return bound;
}

function bind(lib: LibraryHandle, path: string): NativeCpuLibrary {
  const version = lib.func('int evmaccel_cpu_abi_version(void)')() as number;
  if (version !== ABI_VERSION) {
    throw new BackendUnavailableError(
      'cpu-native',
      `${path} has ABI version ${version}, this code needs ${ABI_VERSION}: rebuild with \`make -C native\``,
    );
  }
  const keccak = lib.func(
    'int evmaccel_keccak256_batch(const uint8_t *data, uint64_t data_len, const uint32_t *offsets, uint32_t count, uint8_t *out, uint32_t threads)',
  );
  const ecrecover = lib.func(
    'int evmaccel_ecrecover_batch(const uint8_t *records, uint32_t count, uint8_t *keys_out, uint8_t *valid_out, uint32_t threads)',
  );
  const addresses = lib.func(
    'int evmaccel_recover_addresses_batch(const uint8_t *records, uint32_t count, uint8_t *addresses_out, uint8_t *valid_out, uint32_t threads)',
  );
  return {
    path,
    keccakImpl: lib.func('const char *evmaccel_cpu_keccak_impl(void)')() as string,
    keccak256: (data, offsets, count, out, threads) =>
      callAsync(keccak, data, data.length, offsets, count, out, threads),
    keccak256Sync: (data, offsets, count, out) => keccak(data, data.length, offsets, count, out, 1) as number,
    ecrecover: (records, count, keys, valid, threads) => callAsync(ecrecover, records, count, keys, valid, threads),
    recoverAddresses: (records, count, out, valid, threads) =>
      callAsync(addresses, records, count, out, valid, threads),
  };
}

/**
 * Argument lists of the calls in flight. koffi hands C raw pointers into the typed arrays but
 * references only the callback, so without this a buffer the caller no longer uses (the input
 * data, typically) could be collected while C still reads it.
 */
const pinned = new Set<unknown[]>();

/** Runs fn on koffi's worker pool, resolving to its return code. */
function callAsync(fn: NativeFunction, ...args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    pinned.add(args);
    fn.async(...args, (err: unknown, rc: number) => {
      pinned.delete(args);
      if (err) reject(err);
      else resolve(rc);
    });
  });
}
