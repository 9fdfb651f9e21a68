import { afterAll, beforeAll } from 'vitest';
import { createAccelerator, type Accelerator } from '../../src/index.js';

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
