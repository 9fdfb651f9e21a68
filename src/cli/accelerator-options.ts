import type { Accelerator, AcceleratorOptions, BackendName } from '../index.js';
import { ALL_BACKENDS } from '../runtime/types.js';
import { UsageError } from './usage.js';

/** Checks a `--backend` value. */
export function parseBackend(value: string | undefined): BackendName | undefined {
  if (value === undefined) return undefined;
  if (!(ALL_BACKENDS as readonly string[]).includes(value)) {
    throw new UsageError(`--backend must be one of ${ALL_BACKENDS.join(', ')}; got '${value}'`);
  }
  return value as BackendName;
}

/**
 * Accelerator options for a command: `auto` (calibrated routing), or the named backend first, kept
 * first without calibration, with the JS reference behind it as the fallback.
 */
export function acceleratorOptions(backend: BackendName | undefined): AcceleratorOptions {
  return backend ? { backends: [backend], calibrate: false } : { backends: 'auto' };
}

/**
 * Refuses a forced backend that did not open: its figures would be the fallback's, labelled with
 * its name. A UsageError (exit 2) naming the backend's reason.
 */
export function requireForcedBackend(accel: Accelerator, backend: BackendName | undefined): void {
  if (backend === undefined) return;
  const info = accel.backends.find((b) => b.name === backend);
  if (info?.status !== 'ready') {
    throw new UsageError(`--backend ${backend} is ${info?.status ?? 'not available'}: ${info?.reason ?? 'no reason given'}`, false);
  }
}
