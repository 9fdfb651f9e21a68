import { callAsync, NativeLibrary, type NativeLibrarySpec } from '../ffi.js';

/** native/cpu's library: must match EVMACCEL_CPU_ABI_VERSION in native/cpu/evm_accel_cpu.h. */
export const CPU_LIBRARY: NativeLibrarySpec = {
  backend: 'cpu-native',
  source: 'cpu',
  file: 'libevmaccel_cpu.so',
  abi: { fn: 'evmaccel_cpu_abi_version', version: 2 },
  statusName: 'evmaccel_cpu_status_name',
  prebuilt: true,
  pathEnv: 'EVM_ACCEL_CPU_LIB',
};

/**
 * The C kernels of native/cpu. Each batch call runs on a koffi worker thread (never on the JS
 * thread) and resolves to the C status code; the C side may start more threads. The typed arrays
 * are handed to C without copying and must not be touched until the call settles.
 */
export interface NativeCpuLibrary {
  /** Absolute path of the loaded shared library. */
  readonly path: string;
  /** The Keccak code the CPU runs: 'avx2-x4' (four messages per AVX2 pass) or 'scalar'. */
  readonly keccakImpl: string;
  /** The libsecp256k1 release linked into the library. */
  readonly secp256k1Version: string;
  /** The library's name for a status code (EVMACCEL_OK, EVMACCEL_EBOUNDS, ...). */
  statusName(status: number): string;
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

const bound = new Map<string, NativeCpuLibrary>();

/**
 * Loads the library (once per process and path; default: the prebuilt copy for this platform, else
 * the one `make -C native` built). Throws BackendUnavailableError when there is none, it cannot be
 * loaded, or it was built from another version of the header.
 */
export function loadNativeCpuLibrary(path?: string): NativeCpuLibrary {
  const lib = NativeLibrary.open(CPU_LIBRARY, path);
  let cpu = bound.get(lib.path);
  if (!cpu) bound.set(lib.path, (cpu = bind(lib)));
  return cpu;
}

function bind(lib: NativeLibrary): NativeCpuLibrary {
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
    path: lib.path,
    keccakImpl: lib.func('const char *evmaccel_cpu_keccak_impl(void)')() as string,
    secp256k1Version: lib.func('const char *evmaccel_cpu_secp256k1_version(void)')() as string,
    statusName: (status) => lib.statusName(status),
    keccak256: (data, offsets, count, out, threads) => callAsync(keccak, data, data.length, offsets, count, out, threads),
    keccak256Sync: (data, offsets, count, out) => keccak(data, data.length, offsets, count, out, 1) as number,
    ecrecover: (records, count, keys, valid, threads) => callAsync(ecrecover, records, count, keys, valid, threads),
    recoverAddresses: (records, count, out, valid, threads) => callAsync(addresses, records, count, out, valid, threads),
  };
}
