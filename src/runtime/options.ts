import { InputError } from './errors.js';
import { ALL_BACKENDS, type AcceleratorOptions, type BackendName, type VerifyLevel } from './types.js';

/**
 * Most CPU threads one batch may use: the native library's fixed thread table
 * (EVMACCEL_MAX_THREADS in native/cpu/parallel.h). No machine gains from more threads per batch
 * than it has cores, and no CPU a node runs on has more than 256 of them today.
 */
export const MAX_WORKERS = 256;
/**
 * Largest coalesced batch: 16M items keeps a batch's result buffers under 1 GiB (64-byte keys),
 * and is cpu-native's own per-call limit.
 */
export const MAX_BATCH = 1 << 24;
/** Node fires a timer set above 2^31 − 1 ms at once instead of never: longer waits are refused. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const VERIFY_LEVELS: readonly VerifyLevel[] = ['sample', 'full', 'none'];

/** Options with every default filled in. */
export interface ResolvedOptions {
  backends: BackendName[];
  fpga: string | undefined;
  workers: number | undefined;
  maxBatch: number;
  maxDelayMs: number;
  batchTimeoutMs: number;
  calibrate: boolean;
  verify: VerifyLevel;
  calibrationCache: string | false | undefined;
  faultBackoffMs: number;
}

const DEFAULTS = { maxBatch: 1 << 16, maxDelayMs: 0, batchTimeoutMs: 60_000, faultBackoffMs: 5_000 };

type Check = (v: unknown) => string | undefined;

const integerIn = (lo: number, hi: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? undefined : `an integer in ${lo}..${hi}`;
const msIn = (lo: number, { infinite = false } = {}): Check => (v) =>
  typeof v === 'number' && ((v >= lo && v <= MAX_TIMER_MS) || (infinite && v === Infinity))
    ? undefined
    : `a number of milliseconds in ${lo}..${MAX_TIMER_MS}${infinite ? ' or Infinity' : ''}`;

const CHECKS: Record<keyof AcceleratorOptions, Check> = {
  backends: () => undefined, // checked below, with the index of a bad name
  fpga: (v) => (typeof v === 'string' ? undefined : 'a string (sim, sim:<knobs>, xdma:<device>)'),
  workers: integerIn(1, MAX_WORKERS),
  maxBatch: integerIn(1, MAX_BATCH),
  maxDelayMs: msIn(0),
  batchTimeoutMs: msIn(1, { infinite: true }),
  calibrate: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
  verify: (v) => (VERIFY_LEVELS.includes(v as VerifyLevel) ? undefined : VERIFY_LEVELS.map((l) => `'${l}'`).join(', ')),
  calibrationCache: (v) => ((typeof v === 'string' && v !== '') || v === false ? undefined : 'a file path or false'),
  faultBackoffMs: msIn(1),
};

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * Validates createAccelerator's options: any unknown option, value of the wrong type or out of
 * range is an InputError naming the option, never silently ignored or clamped.
 */
export function resolveOptions(opts: unknown): ResolvedOptions {
  if (opts === undefined) opts = {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InputError(-1, `options must be an object, got ${describe(opts)}`);
  }
  const o = opts as Record<string, unknown>;
  for (const [key, value] of Object.entries(o)) {
    if (!(key in CHECKS)) throw new InputError(-1, `unknown option '${key}' (known: ${Object.keys(CHECKS).join(', ')})`);
    if (value === undefined) continue;
    const want = CHECKS[key as keyof AcceleratorOptions](value);
    if (want) throw new InputError(-1, `${key} must be ${want}, got ${describe(value)}`);
  }
  const a = o as AcceleratorOptions;
  return {
    backends: resolveBackends(a.backends),
    fpga: a.fpga,
    workers: a.workers,
    maxBatch: a.maxBatch ?? DEFAULTS.maxBatch,
    maxDelayMs: a.maxDelayMs ?? DEFAULTS.maxDelayMs,
    batchTimeoutMs: a.batchTimeoutMs ?? DEFAULTS.batchTimeoutMs,
    calibrate: a.calibrate ?? true,
    verify: a.verify ?? 'sample',
    calibrationCache: a.calibrationCache,
    faultBackoffMs: a.faultBackoffMs ?? DEFAULTS.faultBackoffMs,
  };
}

function resolveBackends(requested: unknown): BackendName[] {
  if (requested === undefined || requested === 'auto') return [...ALL_BACKENDS];
  if (!Array.isArray(requested)) throw new InputError(-1, `backends must be 'auto' or an array of backend names, got ${describe(requested)}`);
  if (requested.length === 0) throw new InputError(-1, `backends must name at least one backend (known: ${ALL_BACKENDS.join(', ')})`);
  requested.forEach((b: unknown, i) => {
    if (!ALL_BACKENDS.includes(b as BackendName)) {
      throw new InputError(i, `unknown backend ${describe(b)} (known: ${ALL_BACKENDS.join(', ')})`);
    }
    if (requested.indexOf(b) !== i) throw new InputError(i, `backend '${String(b)}' is listed twice`);
  });
  // The JS reference is always the last resort: a batch that every device fails is still answered.
  const names = requested as BackendName[];
  return names.includes('cpu-js') ? names : [...names, 'cpu-js'];
}
