import { afterAll, beforeAll } from 'vitest';
import { createAccelerator, type Accelerator } from '../../src/index.js';
import { WorkerPool } from '../../src/evm/worker-pool.js';

/**
 * An accelerator on the native kernels (the JS reference behind them) for the calling test file,
 * opened before its tests and closed after; the executor's suites recover senders through it.
 */
export function useNativeAccelerator(): () => Accelerator {
  let accel: Accelerator | undefined;
  beforeAll(async () => {
    accel = await createAccelerator({ backends: ['cpu-native', 'cpu-js'], calibrate: false });
  });
  afterAll(() => accel?.close());
  return () => accel!;
}

/** Worker pools of the given sizes for the calling test file, started before its tests and closed after. */
export function useWorkerPools(sizes: readonly number[]): Map<number, WorkerPool> {
  const pools = new Map<number, WorkerPool>();
  beforeAll(() => {
    for (const n of sizes) pools.set(n, WorkerPool.create(n));
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((p) => p.close()));
  });
  return pools;
}
