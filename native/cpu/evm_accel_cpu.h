/*
 * evm-accel CPU kernels: the C ABI that src/backends/cpu/native-library.ts binds with koffi
 * (through src/backends/ffi.ts, which checks EVMACCEL_CPU_ABI_VERSION and reads status names here).
 *
 * Every entry point takes a whole batch in the packed layouts of src/runtime/packing.ts, so one
 * FFI crossing covers thousands of items. `threads` is the most threads a call may use (0 or 1:
 * the calling thread only); small batches run on the calling thread whatever `threads` says,
 * because starting a thread costs more than the work. Calls are reentrant: several may run at
 * once from different threads (koffi's async calls do exactly that).
 *
 * Return value: EVMACCEL_OK, or a negative EVMACCEL_E* code; on error the outputs are unspecified.
 */
#ifndef EVM_ACCEL_CPU_H
#define EVM_ACCEL_CPU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility; only what is marked here is exported. */
#if defined(__GNUC__)
#define EVMACCEL_API __attribute__((visibility("default")))
#else
#define EVMACCEL_API
#endif

/* Bumped whenever a signature below changes; the binding refuses a library of another version. */
#define EVMACCEL_CPU_ABI_VERSION 2

#define EVMACCEL_OK 0
/* An (offset, length) pair reaches past the end of the data buffer. */
#define EVMACCEL_EBOUNDS (-1)
/* libsecp256k1 could not create its context (out of memory). */
#define EVMACCEL_ECONTEXT (-2)

/** Returns EVMACCEL_CPU_ABI_VERSION of the built library. */
EVMACCEL_API int evmaccel_cpu_abi_version(void);

/** Names a status code: "EVMACCEL_OK", "EVMACCEL_EBOUNDS", "EVMACCEL_ECONTEXT" or "EVMACCEL_EUNKNOWN". */
EVMACCEL_API const char *evmaccel_cpu_status_name(int status);

/** The libsecp256k1 release linked in, e.g. "0.6.0", for `evm-accel info`. */
EVMACCEL_API const char *evmaccel_cpu_secp256k1_version(void);

/** Names the Keccak code this CPU runs, for `evm-accel info`: "avx2-x4" (x86-64-v3 CPUs) or "scalar". */
EVMACCEL_API const char *evmaccel_cpu_keccak_impl(void);

/**
 * Keccak-256 (Ethereum padding: 0x01 ... 0x80, rate 136) of `count` messages.
 * data/data_len: the packed message bytes; offsets: 2 × count u32 (start, length) pairs;
 * out: count × 32 digest bytes.
 */
EVMACCEL_API int evmaccel_keccak256_batch(const uint8_t *data, uint64_t data_len, const uint32_t *offsets,
                             uint32_t count, uint8_t *out, uint32_t threads);

/**
 * secp256k1 public-key recovery of `count` 97-byte records (hash ‖ r ‖ s ‖ recovery id).
 * keys_out: count × 64 bytes (x ‖ y, big-endian); valid_out: count bytes, 1 where recovery
 * succeeded, 0 where the signature is invalid (r or s zero or ≥ n, recovery id > 3, no point
 * with that x, result at infinity); the key bytes of an invalid item are zeroed.
 */
EVMACCEL_API int evmaccel_ecrecover_batch(const uint8_t *records, uint32_t count, uint8_t *keys_out,
                             uint8_t *valid_out, uint32_t threads);

/**
 * As evmaccel_ecrecover_batch, but writes the 20-byte Ethereum address (the last 20 bytes of
 * Keccak-256(x ‖ y)) of each recovered key: addresses_out holds count × 20 bytes.
 */
EVMACCEL_API int evmaccel_recover_addresses_batch(const uint8_t *records, uint32_t count, uint8_t *addresses_out,
                                     uint8_t *valid_out, uint32_t threads);

#ifdef __cplusplus
}
#endif

#endif
