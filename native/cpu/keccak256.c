#include "keccak256.h"

#include <string.h>

#include "evm_accel_cpu.h"
#include "parallel.h"

#define ROL64(v, n) (((v) << (n)) | ((v) >> (64 - (n))))
/* x86-64-v3's andn and rorx shorten chi and rho (~15% measured on Zen 3); an ifunc picks that
 * clone at load time where the CPU has them, so the library stays portable to any x86-64. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define KECCAK_F1600_ATTRS __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define KECCAK_F1600_ATTRS
#endif
#include "keccak_f1600_unrolled.h"

#define RATE 136
#define RATE_LANES (RATE / 8)

/* Work below this many permutations per thread stays on one thread: a thread start costs about
 * as much as this many permutations (measured: see bench/cpu-native-scaling.ts). */
#define MIN_BLOCKS_PER_THREAD 512

static inline uint64_t load64le(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

static inline void store64le(uint8_t *p, uint64_t v) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  memcpy(p, &v, 8);
}

static inline void absorb(uint64_t st[25], const uint8_t *block) {
  for (int i = 0; i < RATE_LANES; i++) st[i] ^= load64le(block + 8 * i);
  keccak_f1600(st);
}

void evmaccel_keccak256(const uint8_t *msg, size_t len, uint8_t out[32]) {
  uint64_t st[25] = {0};
  for (; len >= RATE; msg += RATE, len -= RATE) absorb(st, msg);
  uint8_t last[RATE];
  if (len) memcpy(last, msg, len);
  memset(last + len, 0, RATE - len);
  last[len] |= 0x01;
  last[RATE - 1] |= 0x80;
  absorb(st, last);
  for (int i = 0; i < 4; i++) store64le(out + 8 * i, st[i]);
}

struct keccak_batch {
  const uint8_t *data;
  const uint32_t *offsets;
  uint8_t *out;
};

static void keccak_range(void *arg, uint32_t begin, uint32_t end) {
  const struct keccak_batch *b = arg;
  for (uint32_t i = begin; i < end; i++) {
    evmaccel_keccak256(b->data + b->offsets[2 * i], b->offsets[2 * i + 1], b->out + 32 * (size_t)i);
  }
}

static inline uint64_t blocks_of(uint32_t len) { return len / RATE + 1; }

int evmaccel_keccak256_batch(const uint8_t *data, uint64_t data_len, const uint32_t *offsets,
                             uint32_t count, uint8_t *out, uint32_t threads) {
  uint64_t blocks = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint64_t start = offsets[2 * i], len = offsets[2 * i + 1];
    if (start + len > data_len) return EVMACCEL_EBOUNDS;
    blocks += blocks_of(offsets[2 * i + 1]);
  }
  struct keccak_batch b = {data, offsets, out};
  uint32_t parts = evmaccel_chunk_count(blocks, MIN_BLOCKS_PER_THREAD, threads);
  if (parts == 1) {
    keccak_range(&b, 0, count);
    return EVMACCEL_OK;
  }
  /* Cut where the permutation count, not the message count, reaches each thread's share, so
   * that a few long messages do not leave the other threads idle. */
  uint32_t bounds[EVMACCEL_MAX_THREADS + 1];
  bounds[0] = 0;
  uint64_t seen = 0;
  uint32_t part = 1;
  for (uint32_t i = 0; i < count && part < parts; i++) {
    seen += blocks_of(offsets[2 * i + 1]);
    while (part < parts && seen * parts >= blocks * part) bounds[part++] = i + 1;
  }
  while (part <= parts) bounds[part++] = count;
  evmaccel_parallel_for(keccak_range, &b, bounds, parts);
  return EVMACCEL_OK;
}

int evmaccel_cpu_abi_version(void) { return EVMACCEL_CPU_ABI_VERSION; }
