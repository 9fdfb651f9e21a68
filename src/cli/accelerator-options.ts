import { InputError, type AcceleratorOptions, type BackendName } from '../index.js';
import { ALL_BACKENDS } from '../runtime/types.js';

/** Checks a `--backend` value. */
export function parseBackend(value: string | undefined): BackendName | undefined {
  if (value === undefined) return undefined;
  if (!(ALL_BACKENDS as readonly string[]).includes(value)) {
    throw new InputError(-1, `--backend must be one of ${ALL_BACKENDS.join(', ')}; got '${value}'`);
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
