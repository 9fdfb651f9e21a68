#include "keccak256.h"

#include <string.h>

#include "evm_accel_cpu.h"
#include "parallel.h"

#define ROL64(v, n) (((v) << (n)) | ((v) >> (64 - (n))))
/* EVMACCEL_PORTABLE builds only the plain scalar code: the test build that checks what CPUs without
 * AVX2, and compilers without target clones, run. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && !defined(EVMACCEL_PORTABLE)
/* x86-64-v3's andn and rorx shorten chi and rho (~15% measured on Zen 3); an ifunc picks that
 * clone at load time where the CPU has them, so the library stays portable to any x86-64. */
#define KECCAK_F1600_ATTRS __attribute__((target_clones("arch=x86-64-v3", "default")))
/* Four independent states in the four 64-bit lanes of AVX2 registers, used when the CPU is
 * x86-64-v3 (checked at run time) for runs of messages with the same block count: 2.4× the scalar
 * code's throughput on 64-byte messages (Zen 3). */
#define KECCAK_HAVE_X4 1
#define KECCAK_F1600_X4_ATTRS __attribute__((target("arch=x86-64-v3")))
typedef uint64_t keccak_v4 __attribute__((vector_size(32)));
#else
#define KECCAK_F1600_ATTRS
#endif
#include "keccak_f1600_unrolled.h"

#define RATE 136
#define RATE_LANES (RATE / 8)

/* Work below this many permutations per thread stays on one thread: 512 permutations take
 * 90-200 µs, several times the 20-50 µs a thread start and join costs. */
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

/* The final block: the tail (< RATE bytes) and Keccak's padding 0x01 ... 0x80. */
static inline void pad_last(uint8_t last[RATE], const uint8_t *tail, size_t tail_len) {
  if (tail_len) memcpy(last, tail, tail_len);
  memset(last + tail_len, 0, RATE - tail_len);
  last[tail_len] |= 0x01;
  last[RATE - 1] |= 0x80;
}

void evmaccel_keccak256(const uint8_t *msg, size_t len, uint8_t out[32]) {
  uint64_t st[25] = {0};
  for (; len >= RATE; msg += RATE, len -= RATE) absorb(st, msg);
  uint8_t last[RATE];
  pad_last(last, msg, len);
  absorb(st, last);
  for (int i = 0; i < 4; i++) store64le(out + 8 * i, st[i]);
}

#ifdef KECCAK_HAVE_X4
static inline KECCAK_F1600_X4_ATTRS keccak_v4 gather(const uint8_t *const p[4], size_t at) {
  return (keccak_v4){load64le(p[0] + at), load64le(p[1] + at), load64le(p[2] + at), load64le(p[3] + at)};
}

/* Keccak-256 of four messages at once; they must have the same number of full blocks. */
static KECCAK_F1600_X4_ATTRS void keccak256_x4(const uint8_t *const msg[4], const uint32_t len[4],
                                               uint8_t *const out[4]) {
  keccak_v4 st[25];
  memset(st, 0, sizeof st);
  size_t full = len[0] / RATE;
  for (size_t b = 0; b < full; b++) {
    for (int i = 0; i < RATE_LANES; i++) st[i] ^= gather(msg, b * RATE + 8 * i);
    keccak_f1600_x4(st);
  }
  uint8_t last[4][RATE];
  const uint8_t *lastp[4];
  for (int k = 0; k < 4; k++) {
    pad_last(last[k], msg[k] + full * RATE, len[k] - full * RATE);
    lastp[k] = last[k];
  }
  for (int i = 0; i < RATE_LANES; i++) st[i] ^= gather(lastp, 8 * i);
  keccak_f1600_x4(st);
  for (int k = 0; k < 4; k++) {
    for (int i = 0; i < 4; i++) store64le(out[k] + 8 * i, st[i][k]);
  }
}
#endif

struct keccak_batch {
  const uint8_t *data;
  const uint32_t *offsets;
  uint8_t *out;
  int x4; /* the CPU runs keccak256_x4 */
};

static inline void keccak_one(const struct keccak_batch *b, size_t i) {
  evmaccel_keccak256(b->data + b->offsets[2 * i], b->offsets[2 * i + 1], b->out + 32 * i);
}

#ifdef KECCAK_HAVE_X4
/* Messages are grouped by block count within windows of this many, so that batches of mixed
 * lengths still fill the four lanes; messages of more than X4_MAX_FULL_BLOCKS full blocks (8.7 kB)
 * are hashed alone, as equal counts are rare among them. */
#define X4_WINDOW 256
#define X4_MAX_FULL_BLOCKS 63

static inline void keccak_four(const struct keccak_batch *b, const uint32_t idx[4]) {
  const uint8_t *msg[4];
  uint32_t len[4];
  uint8_t *out[4];
  for (int k = 0; k < 4; k++) {
    size_t i = idx[k];
    msg[k] = b->data + b->offsets[2 * i];
    len[k] = b->offsets[2 * i + 1];
    out[k] = b->out + 32 * i;
  }
  keccak256_x4(msg, len, out);
}

/* Hashes [begin, end) (at most X4_WINDOW items): a counting sort by full-block count, then each
 * group of four with the same count through keccak256_x4 and the remainders one by one. */
static void keccak_window_x4(const struct keccak_batch *b, uint32_t begin, uint32_t end) {
  uint32_t start[X4_MAX_FULL_BLOCKS + 2] = {0};
  uint32_t sorted[X4_WINDOW];
  for (uint32_t i = begin; i < end; i++) {
    uint32_t full = b->offsets[2 * (size_t)i + 1] / RATE;
    if (full <= X4_MAX_FULL_BLOCKS) start[full + 1]++;
    else keccak_one(b, i);
  }
  for (int g = 1; g <= X4_MAX_FULL_BLOCKS + 1; g++) start[g] += start[g - 1];
  uint32_t fill[X4_MAX_FULL_BLOCKS + 1];
  memcpy(fill, start, sizeof fill);
  for (uint32_t i = begin; i < end; i++) {
    uint32_t full = b->offsets[2 * (size_t)i + 1] / RATE;
    if (full <= X4_MAX_FULL_BLOCKS) sorted[fill[full]++] = i;
  }
  for (int g = 0; g <= X4_MAX_FULL_BLOCKS; g++) {
    uint32_t j = start[g];
    for (; j + 4 <= start[g + 1]; j += 4) keccak_four(b, sorted + j);
    for (; j < start[g + 1]; j++) keccak_one(b, sorted[j]);
  }
}
#endif

static void keccak_range(void *arg, uint32_t begin, uint32_t end) {
  const struct keccak_batch *b = arg;
#ifdef KECCAK_HAVE_X4
  if (b->x4) {
    for (uint32_t w = begin; w < end; w += (end - w < X4_WINDOW ? end - w : X4_WINDOW)) {
      keccak_window_x4(b, w, end - w < X4_WINDOW ? end : w + X4_WINDOW);
    }
    return;
  }
#endif
  for (size_t i = begin; i < end; i++) keccak_one(b, i);
}

static int cpu_has_x4(void) {
#ifdef KECCAK_HAVE_X4
  return __builtin_cpu_supports("x86-64-v3"); /* the level keccak256_x4 is compiled for */
#else
  return 0;
#endif
}

static inline uint64_t blocks_of(uint32_t len) { return len / RATE + 1; }

int evmaccel_keccak256_batch(const uint8_t *data, uint64_t data_len, const uint32_t *offsets,
                             uint32_t count, uint8_t *out, uint32_t threads) {
  uint64_t blocks = 0;
  for (size_t i = 0; i < count; i++) {
    uint64_t start = offsets[2 * i], len = offsets[2 * i + 1];
    if (start + len > data_len) return EVMACCEL_EBOUNDS;
    blocks += blocks_of(offsets[2 * i + 1]);
  }
  struct keccak_batch b = {data, offsets, out, cpu_has_x4()};
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
  for (size_t i = 0; i < count && part < parts; i++) {
    seen += blocks_of(offsets[2 * i + 1]);
    while (part < parts && seen * parts >= blocks * part) bounds[part++] = (uint32_t)(i + 1);
  }
  while (part <= parts) bounds[part++] = count;
  evmaccel_parallel_for(keccak_range, &b, bounds, parts);
  return EVMACCEL_OK;
}

int evmaccel_cpu_abi_version(void) { return EVMACCEL_CPU_ABI_VERSION; }

const char *evmaccel_cpu_status_name(int status) {
  switch (status) {
    case EVMACCEL_OK: return "EVMACCEL_OK";
    case EVMACCEL_EBOUNDS: return "EVMACCEL_EBOUNDS";
    case EVMACCEL_ECONTEXT: return "EVMACCEL_ECONTEXT";
    default: return "EVMACCEL_EUNKNOWN";
  }
}

const char *evmaccel_cpu_keccak_impl(void) { return cpu_has_x4() ? "avx2-x4" : "scalar"; }
