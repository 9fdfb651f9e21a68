#include <pthread.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "evm_accel_cpu.h"
#include "keccak256.h"
#include "parallel.h"

#define RECORD_BYTES 97
#define KEY_BYTES 64
#define ADDRESS_BYTES 20

/* One recovery takes ~50-70 µs; a thread start is a few tens of µs, so even small batches split. */
#define MIN_RECORDS_PER_THREAD 4

/* One context for the process: recovery only reads it, so threads share it safely. VERIFY, not
 * NONE: libsecp256k1 0.2+ treats the two alike, but before 0.2 (Debian bullseye's 0.1) a NONE
 * context lacks the tables recovery needs. */
static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

/* The Makefile defines it from the release it builds against. */
const char *evmaccel_cpu_secp256k1_version(void) { return EVMACCEL_SECP256K1_VERSION; }

static void create_context(void) { ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY); }

/* Recovers one record into key[64] (x ‖ y); returns 1 on success, 0 (key zeroed) when invalid.
 * parse_compact rejects r or s ≥ n; recover rejects r or s = 0, x with no curve point and the
 * point at infinity; high s is accepted and a hash ≥ n reduced mod n, exactly as noble does. */
static int recover_one(const uint8_t *rec, uint8_t key[KEY_BYTES]) {
  secp256k1_ecdsa_recoverable_signature sig;
  secp256k1_pubkey pub;
  uint8_t serialized[65];
  size_t len = sizeof serialized;
  int recid = rec[96];
  if (recid > 3 || !secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, rec + 32, recid) ||
      !secp256k1_ecdsa_recover(ctx, &pub, &sig, rec) ||
      !secp256k1_ec_pubkey_serialize(ctx, serialized, &len, &pub, SECP256K1_EC_UNCOMPRESSED)) {
    memset(key, 0, KEY_BYTES);
    return 0;
  }
  memcpy(key, serialized + 1, KEY_BYTES);
  return 1;
}

struct recover_batch {
  const uint8_t *records;
  uint8_t *out;
  uint8_t *valid;
};

static void keys_range(void *arg, uint32_t begin, uint32_t end) {
  const struct recover_batch *b = arg;
  for (uint32_t i = begin; i < end; i++) {
    b->valid[i] = (uint8_t)recover_one(b->records + RECORD_BYTES * (size_t)i, b->out + KEY_BYTES * (size_t)i);
  }
}

static void addresses_range(void *arg, uint32_t begin, uint32_t end) {
  const struct recover_batch *b = arg;
  for (uint32_t i = begin; i < end; i++) {
    uint8_t key[KEY_BYTES], digest[32];
    uint8_t *addr = b->out + ADDRESS_BYTES * (size_t)i;
    b->valid[i] = (uint8_t)recover_one(b->records + RECORD_BYTES * (size_t)i, key);
    if (b->valid[i]) {
      evmaccel_keccak256(key, KEY_BYTES, digest);
      memcpy(addr, digest + 32 - ADDRESS_BYTES, ADDRESS_BYTES);
    } else {
      memset(addr, 0, ADDRESS_BYTES);
    }
  }
}

static int run_batch(evmaccel_range_fn fn, const uint8_t *records, uint32_t count, uint8_t *out,
                     uint8_t *valid, uint32_t threads) {
  pthread_once(&ctx_once, create_context);
  if (!ctx) return EVMACCEL_ECONTEXT;
  struct recover_batch b = {records, out, valid};
  uint32_t parts = evmaccel_chunk_count(count, MIN_RECORDS_PER_THREAD, threads);
  uint32_t bounds[EVMACCEL_MAX_THREADS + 1];
  evmaccel_split_even(count, parts, bounds);
  evmaccel_parallel_for(fn, &b, bounds, parts);
  return EVMACCEL_OK;
}

int evmaccel_ecrecover_batch(const uint8_t *records, uint32_t count, uint8_t *keys_out,
                             uint8_t *valid_out, uint32_t threads) {
  return run_batch(keys_range, records, count, keys_out, valid_out, threads);
}

int evmaccel_recover_addresses_batch(const uint8_t *records, uint32_t count, uint8_t *addresses_out,
                                     uint8_t *valid_out, uint32_t threads) {
  return run_batch(addresses_range, records, count, addresses_out, valid_out, threads);
}
