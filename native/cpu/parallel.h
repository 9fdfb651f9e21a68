/* Splitting one batch over threads: contiguous chunks, one per thread, the caller's thread included. */
#ifndef EVMACCEL_PARALLEL_H
#define EVMACCEL_PARALLEL_H

#include <stdint.h>

/* Most threads one call will start, whatever the caller asks for. */
#define EVMACCEL_MAX_THREADS 256

/* Processes items [begin, end) of the batch described by ctx. */
typedef void (*evmaccel_range_fn)(void *ctx, uint32_t begin, uint32_t end);

/*
 * How many chunks a batch of `work` units should be cut into: at most `threads`, and few enough
 * that each chunk holds at least `min_work_per_thread` units (below that, starting a thread costs
 * more than it saves).
 */
uint32_t evmaccel_chunk_count(uint64_t work, uint64_t min_work_per_thread, uint32_t threads);

/*
 * Runs fn over chunks [bounds[i], bounds[i + 1]) for i < parts, chunk 0 on the calling thread and
 * the others on threads started for this call, and returns when all are done. A thread that
 * cannot be started has its chunk run on the calling thread instead, so the call never fails.
 */
void evmaccel_parallel_for(evmaccel_range_fn fn, void *ctx, const uint32_t *bounds, uint32_t parts);

/* Fills bounds[0..parts] with `parts` chunks of [0, count) of equal item counts. */
void evmaccel_split_even(uint32_t count, uint32_t parts, uint32_t *bounds);

#endif
