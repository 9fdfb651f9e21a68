import type { Backend } from './backend.js';
import { BACKEND_FACTORIES } from '../backends/registry.js';
import { Batcher } from './batcher.js';
import { calibrate } from './calibration.js';
import { BackendUnavailableError, InputError } from './errors.js';
import { ADDRESSES, ECRECOVER, KECCAK, type KernelOutput, type KernelSpec } from './kernels.js';
import { packMessages, packSignatures } from './packing.js';
import { Router, type RoutedBackend } from './router.js';
import { emptyBackendStats, emptyStats, snapshotStats } from './stats.js';
import {
  ALL_BACKENDS,
  type Accelerator,
  type AcceleratorOptions,
  type AcceleratorStats,
  type BackendInfo,
  type BackendName,
  type CallOptions,
  type Signature,
} from './types.js';

const DEFAULTS = { maxBatch: 1 << 16, maxDelayMs: 0, batchTimeoutMs: 60_000, maxConsecutiveFaults: 3 };

function routed(backend: Backend): RoutedBackend {
  const info: BackendInfo = { ...backend.describe(), status: 'ready' };
  return { backend, info, stats: emptyBackendStats(), rate: {}, consecutiveFaults: 0 };
}

async function open(name: BackendName, opts: AcceleratorOptions): Promise<RoutedBackend> {
  try {
    const factoryOpts = {
      ...(opts.fpga !== undefined && { fpga: opts.fpga }),
      ...(opts.workers !== undefined && { workers: opts.workers }),
    };
    return routed(await BACKEND_FACTORIES[name](factoryOpts));
  } catch (err) {
    const reason = err instanceof BackendUnavailableError ? err.reason : err instanceof Error ? err.message : String(err);
    const info: BackendInfo = { name, device: '-', kind: 'software', status: 'unavailable', kernels: [], reason };
    return { backend: null, info, stats: emptyBackendStats(), rate: {}, consecutiveFaults: 0 };
  }
}

function checkOptions(opts: AcceleratorOptions): BackendName[] {
  const requested = opts.backends === undefined || opts.backends === 'auto' ? [...ALL_BACKENDS] : opts.backends;
  if (!Array.isArray(requested)) throw new InputError(-1, `backends must be 'auto' or an array of backend names`);
  requested.forEach((b, i) => {
    if (!ALL_BACKENDS.includes(b)) throw new InputError(i, `unknown backend '${String(b)}' (known: ${ALL_BACKENDS.join(', ')})`);
  });
  for (const k of ['maxBatch', 'maxDelayMs', 'batchTimeoutMs', 'workers'] as const) {
    const v = opts[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && (k !== 'maxBatch' || v >= 1))) {
      throw new InputError(-1, `${k} must be a non-negative number, got ${String(v)}`);
    }
  }
  // The JS reference is always the last resort: a batch that every device fails is still answered.
  return requested.includes('cpu-js') ? requested : [...requested, 'cpu-js'];
}

/**
 * Opens the backends, calibrates them and returns an {@link Accelerator} that batches calls
 * across them with fallback.
 *
 * @example
 * ```ts
 * const accel = await createAccelerator();
 * const [digest] = await accel.keccak256([new TextEncoder().encode('hello')]);
 * await accel.close();
 * ```
 */
export async function createAccelerator(opts: AcceleratorOptions = {}): Promise<Accelerator> {
  const names = checkOptions(opts);
  return start(await Promise.all(names.map((n) => open(n, opts))), opts);
}

/**
 * Builds an accelerator over backend objects the caller opened itself, in the given order: for
 * embedding a custom device, and for tests that inject faults into real backends.
 */
export async function createAcceleratorFromBackends(backends: Backend[], opts: AcceleratorOptions = {}): Promise<Accelerator> {
  return start(backends.map(routed), opts);
}

async function start(entries: RoutedBackend[], opts: AcceleratorOptions): Promise<Accelerator> {
  const ranked = opts.calibrate !== false;
  if (ranked) await calibrate(entries);
  const router = new Router(entries, {
    batchTimeoutMs: opts.batchTimeoutMs ?? DEFAULTS.batchTimeoutMs,
    maxConsecutiveFaults: DEFAULTS.maxConsecutiveFaults,
    ranked,
  });
  return new RuntimeAccelerator(router, opts);
}

class RuntimeAccelerator implements Accelerator {
  private readonly counters: AcceleratorStats = emptyStats();
  private readonly batcher: Batcher;
  private closed = false;

  constructor(
    private readonly router: Router,
    opts: AcceleratorOptions,
  ) {
    for (const e of router.entries) this.counters.backends[e.info.name] = e.stats;
    this.batcher = new Batcher(
      (spec, batch, forced) => {
        this.counters.dispatches++;
        return this.router.run(spec, batch, forced);
      },
      opts.maxBatch ?? DEFAULTS.maxBatch,
      opts.maxDelayMs ?? DEFAULTS.maxDelayMs,
    );
  }

  get backends(): BackendInfo[] {
    const order = new Map<BackendName, number>();
    for (const kernel of ['keccak256', 'ecrecover'] as const) {
      this.router.chain(kernel).forEach((e, i) => order.set(e.info.name, Math.min(order.get(e.info.name) ?? i, i)));
    }
    return this.router.entries
      .map((e) => ({ ...e.info, kernels: [...e.info.kernels] }))
      .sort((a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99));
  }

  async keccak256(msgs: Uint8Array[], opts?: CallOptions): Promise<Uint8Array[]> {
    const out = await this.call(KECCAK, packMessages(msgs), msgs.length, opts);
    return split(out, 32, msgs.length, false) as Uint8Array[];
  }

  async ecrecover(sigs: Signature[], opts?: CallOptions): Promise<(Uint8Array | null)[]> {
    const out = await this.call(ECRECOVER, packSignatures(sigs), sigs.length, opts);
    return split(out, 64, sigs.length, true);
  }

  async recoverAddresses(sigs: Signature[], opts?: CallOptions): Promise<(Uint8Array | null)[]> {
    const out = await this.call(ADDRESSES, packSignatures(sigs), sigs.length, opts);
    return split(out, 20, sigs.length, true);
  }

  stats(): AcceleratorStats {
    return snapshotStats(this.counters);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batcher.drain();
    await Promise.all(this.router.entries.map((e) => e.backend?.close()));
  }

  private async call<In>(spec: KernelSpec<In>, batch: In, count: number, opts?: CallOptions): Promise<KernelOutput | null> {
    if (this.closed) throw new Error('accelerator is closed');
    if (opts?.backend !== undefined && !ALL_BACKENDS.includes(opts.backend)) {
      throw new InputError(-1, `unknown backend '${String(opts.backend)}'`);
    }
    this.counters.calls++;
    if (count === 0) return null;
    return this.batcher.submit(spec, batch, opts?.backend);
  }
}

function split(out: KernelOutput | null, size: number, count: number, nullable: boolean): (Uint8Array | null)[] {
  const res: (Uint8Array | null)[] = new Array(count);
  if (!out) return res;
  for (let i = 0; i < count; i++) {
    res[i] = nullable && out.valid![i] !== 1 ? null : out.out.subarray(i * size, (i + 1) * size);
  }
  return res;
}
