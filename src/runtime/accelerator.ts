import type { Backend } from './backend.js';
import { Batcher } from './batcher.js';
import { BackendSet, type BackendSetOptions } from './backend-set.js';
import { CalibrationCache, defaultCalibrationCachePath } from './calibration-cache.js';
import { InputError } from './errors.js';
import { ADDRESSES, ECRECOVER, KECCAK, type KernelOutput, type KernelSpec } from './kernels.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { checkPackedMessages, packMessages, packSignatures } from './packing.js';
import { Router } from './router.js';
import { emptyStats, snapshotStats } from './stats.js';
import {
  ALL_BACKENDS,
  type Accelerator,
  type AcceleratorOptions,
  type AcceleratorStats,
  type BackendInfo,
  type BackendName,
  type BatchPlan,
  type CallOptions,
  type KernelName,
  type RoutingInfo,
  type Signature,
} from './types.js';
import { Verifier } from './verification.js';

const MAX_CONSECUTIVE_FAULTS = 3;

function setOptions(o: ResolvedOptions, cachePath: string | undefined): BackendSetOptions {
  return {
    calibrate: o.calibrate,
    cache: o.calibrate && cachePath ? new CalibrationCache(cachePath) : null,
    policy: { maxConsecutiveFaults: MAX_CONSECUTIVE_FAULTS, backoffMs: o.faultBackoffMs },
  };
}

/**
 * Opens the backends and returns an {@link Accelerator} that batches calls across them, checks
 * their results and falls back when one fails. Resolves as soon as the host CPU backends are
 * calibrated (or their figures read from the calibration cache); devices are opened and measured
 * in the background and join the routing when ready (`ready()` waits for them).
 *
 * @example
 * ```ts
 * const accel = await createAccelerator();
 * const [digest] = await accel.keccak256([new TextEncoder().encode('hello')]);
 * await accel.close();
 * ```
 */
export async function createAccelerator(opts: AcceleratorOptions = {}): Promise<Accelerator> {
  const o = resolveOptions(opts);
  const cachePath = o.calibrationCache === false ? undefined : (o.calibrationCache ?? defaultCalibrationCachePath());
  const factoryOpts = { ...(o.fpga !== undefined && { fpga: o.fpga }), ...(o.workers !== undefined && { workers: o.workers }) };
  return new RuntimeAccelerator(await BackendSet.open(o.backends, factoryOpts, setOptions(o, cachePath)), o);
}

/**
 * Builds an accelerator over backend objects the caller opened itself, in the given order: for
 * embedding a custom device, and for tests that inject faults into real backends. The calibration
 * cache is used only when `calibrationCache` names a file (such backends are not the registry's).
 */
export async function createAcceleratorFromBackends(backends: Backend[], opts: AcceleratorOptions = {}): Promise<Accelerator> {
  const o = resolveOptions(opts);
  const cachePath = typeof o.calibrationCache === 'string' ? o.calibrationCache : undefined;
  return new RuntimeAccelerator(await BackendSet.adopt(backends, setOptions(o, cachePath)), o);
}

class RuntimeAccelerator implements Accelerator {
  private readonly counters: AcceleratorStats = emptyStats();
  private readonly batcher: Batcher;
  private readonly router: Router;
  private closed = false;

  constructor(
    private readonly set: BackendSet,
    private readonly o: ResolvedOptions,
  ) {
    const policy = { maxConsecutiveFaults: MAX_CONSECUTIVE_FAULTS, backoffMs: o.faultBackoffMs };
    const verifier = new Verifier({ level: o.verify, entries: set.entries, policy, batchTimeoutMs: o.batchTimeoutMs });
    this.router = new Router(set.entries, { batchTimeoutMs: o.batchTimeoutMs, policy, ranked: o.calibrate, verifier });
    for (const e of set.entries) this.counters.backends[e.info.name] = e.stats;
    this.batcher = new Batcher(
      (spec, batch, forced) => {
        this.set.probeDue();
        this.counters.dispatches++;
        return this.router.run(spec, batch, forced);
      },
      o.maxBatch,
      o.maxDelayMs,
    );
  }

  /** In the order a batch of `maxBatch` items would try them; backends out of rotation last. */
  get backends(): BackendInfo[] {
    const order = new Map<BackendName, number>();
    for (const kernel of ['keccak256', 'ecrecover'] as const) {
      this.router.chain(kernel, this.o.maxBatch).forEach((e, i) => order.set(e.info.name, Math.min(order.get(e.info.name) ?? i, i)));
    }
    return this.set.entries
      .map((e) => ({ ...e.info, kernels: [...e.info.kernels] }))
      .sort((a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99));
  }

  async ready(opts?: { all?: boolean }): Promise<BackendInfo[]> {
    await this.set.ready(opts?.all === true);
    return this.backends;
  }

  routing(): RoutingInfo {
    return this.router.routing();
  }

  plan(kernel: KernelName, batchSize: number, opts?: CallOptions): BatchPlan {
    if (kernel !== 'keccak256' && kernel !== 'ecrecover') throw new InputError(-1, `unknown kernel '${String(kernel)}'`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(-1, `batchSize must be a positive integer, got ${String(batchSize)}`);
    checkCallOptions(opts);
    return this.router.plan(kernel, batchSize, opts?.backend);
  }

  async keccak256(msgs: Uint8Array[], opts?: CallOptions): Promise<Uint8Array[]> {
    const out = await this.call(KECCAK, packMessages(msgs), msgs.length, opts);
    return split(out, 32, msgs.length, false) as Uint8Array[];
  }

  async keccak256Packed(data: Uint8Array, offsets: Uint32Array, opts?: CallOptions): Promise<Uint8Array> {
    const batch = checkPackedMessages(data, offsets);
    const out = await this.call(KECCAK, batch, batch.count, opts);
    return out ? out.out : new Uint8Array(0);
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
    await this.set.close();
  }

  private async call<In>(spec: KernelSpec<In>, batch: In, count: number, opts?: CallOptions): Promise<KernelOutput | null> {
    if (this.closed) throw new Error('accelerator is closed');
    checkCallOptions(opts);
    this.counters.calls++;
    if (count === 0) return null;
    return this.batcher.submit(spec, batch, opts?.backend);
  }
}

function checkCallOptions(opts: CallOptions | undefined): void {
  if (opts?.backend !== undefined && !ALL_BACKENDS.includes(opts.backend)) {
    throw new InputError(-1, `unknown backend '${String(opts.backend)}'`);
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
