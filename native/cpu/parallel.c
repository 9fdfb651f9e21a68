#include "parallel.h"

#include <pthread.h>

struct chunk {
  evmaccel_range_fn fn;
  void *ctx;
  uint32_t begin, end;
};

static void *run_chunk(void *arg) {
  struct chunk *c = arg;
  c->fn(c->ctx, c->begin, c->end);
  return 0;
}

uint32_t evmaccel_chunk_count(uint64_t work, uint64_t min_work_per_thread, uint32_t threads) {
  if (threads > EVMACCEL_MAX_THREADS) threads = EVMACCEL_MAX_THREADS;
  if (threads < 1) threads = 1;
  uint64_t by_work = min_work_per_thread ? work / min_work_per_thread : work;
  if (by_work < 1) by_work = 1;
  return by_work < threads ? (uint32_t)by_work : threads;
}

void evmaccel_parallel_for(evmaccel_range_fn fn, void *ctx, const uint32_t *bounds, uint32_t parts) {
  pthread_t tids[EVMACCEL_MAX_THREADS];
  struct chunk chunks[EVMACCEL_MAX_THREADS];
  uint8_t started[EVMACCEL_MAX_THREADS];
  if (parts > EVMACCEL_MAX_THREADS) parts = EVMACCEL_MAX_THREADS;
  for (uint32_t i = 1; i < parts; i++) {
    chunks[i] = (struct chunk){fn, ctx, bounds[i], bounds[i + 1]};
    started[i] = pthread_create(&tids[i], 0, run_chunk, &chunks[i]) == 0;
  }
  if (parts > 0) fn(ctx, bounds[0], bounds[1]);
  for (uint32_t i = 1; i < parts; i++) {
    if (started[i]) pthread_join(tids[i], 0);
    else fn(ctx, chunks[i].begin, chunks[i].end);
  }
}

void evmaccel_split_even(uint32_t count, uint32_t parts, uint32_t *bounds) {
  for (uint32_t i = 0; i <= parts; i++) bounds[i] = (uint32_t)((uint64_t)count * i / parts);
}
