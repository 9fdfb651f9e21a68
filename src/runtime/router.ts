import type { Backend } from './backend.js';
import { estimateMs, refineCostModel } from './cost-model.js';
import { AllBackendsFailedError, BackendFaultError, BackendUnavailableError } from './errors.js';
import { recordFault, recordSuccess, type HealthPolicy } from './health.js';
import type { KernelOutput, KernelSpec } from './kernels.js';
import { concatBytes } from './packing.js';
import { isEmulated, type RoutedBackend } from './routed-backend.js';
import { withTimeout } from './timeout.js';
import type { BackendName, BatchPlan, KernelName, RouteSegment, RoutingInfo } from './types.js';
import type { Verifier } from './verification.js';

export interface RouterOptions {
  batchTimeoutMs: number;
  policy: HealthPolicy;
  /** Rank by estimated time; false keeps the given order (calibrate: false). */
  ranked: boolean;
  verifier: Verifier;
}

/** A split must beat the best single backend by this share, or its overhead is not worth it. */
const SPLIT_MIN_GAIN = 0.1;
/** No backend gets a share smaller than this: it would only add a dispatch's latency. */
const SPLIT_MIN_PART = 1024;
/** Batches at least this large refine a backend's per-item cost (small ones measure latency). */
const RATE_MIN_ITEMS = 1024;
/** Largest batch the routing table looks at: maxBatch's upper bound. */
const ROUTING_MAX_ITEMS = 1 << 24;

/** One backend's share of a batch: items [from, to). */
interface Share {
  entry: RoutedBackend;
  from: number;
  to: number;
}

/**
 * Routes kernel batches to backends: ranks the healthy backends by estimated time for the batch's
 * size (latency + items × per-item cost, so a block-sized batch goes where it finishes first and a
 * million-item one to the GPU), splits large batches across hardware backends so that they finish
 * together, times out, checks results (shape, then the verifier) and re-runs a failed part on the
 * next backend, counting every fault.
 */
export class Router {
  constructor(
    readonly entries: RoutedBackend[],
    private readonly opts: RouterOptions,
  ) {}

  /**
   * Healthy backends that implement `kernel`, in the order a batch of n items tries them: by
   * estimated time, except that an emulated device never goes before a hardware backend (its
   * cores are the host's own). Uncalibrated backends follow the calibrated ones in given order.
   */
  chain(kernel: KernelName, n: number): RoutedBackend[] {
    const ready = this.entries.filter((e) => e.backend && e.info.status === 'ready' && e.info.kernels.includes(kernel));
    if (!this.opts.ranked) return ready;
    const est = (e: RoutedBackend) => (e.models[kernel] ? estimateMs(e.models[kernel], n) : Infinity);
    const sorted = ready.map((e, i) => ({ e, i, t: est(e) })).sort((a, b) => a.t - b.t || a.i - b.i).map(({ e }) => e);
    let hardwareLeft = sorted.filter((e) => e.info.kind === 'hardware').length;
    const out: RoutedBackend[] = [];
    const deferred: RoutedBackend[] = [];
    for (const e of sorted) {
      if (isEmulated(e) && hardwareLeft > 0) {
        deferred.push(e);
        continue;
      }
      out.push(e);
      if (e.info.kind === 'hardware' && --hardwareLeft === 0) out.push(...deferred.splice(0));
    }
    return [...out, ...deferred];
  }

  /** Runs a batch: on `forced` first if given, else split across the backends that finish it first. */
  async run<In>(spec: KernelSpec<In>, batch: In, forced?: BackendName): Promise<KernelOutput> {
    const count = spec.count(batch);
    if (forced) {
      const entry = await this.forcedEntry(forced, spec.needs);
      return this.runWithFallback(spec, batch, [entry, ...this.chain(spec.needs, count).filter((e) => e !== entry)]);
    }
    const chain = this.chain(spec.needs, count);
    if (chain.length === 0) throw new AllBackendsFailedError([]);
    const shares = this.split(spec.needs, count, chain);
    const outs = await Promise.all(
      shares.map(({ entry, from, to }) => this.runWithFallback(spec, spec.slice(batch, from, to), [entry, ...chain.filter((e) => e !== entry)])),
    );
    return joinOutputs(outs);
  }

  /** Where a batch of n items would go now and how each part would be checked. */
  plan(kernel: KernelName, n: number, forced?: BackendName): BatchPlan {
    const chain = this.chain(kernel, n);
    const shares = forced ? [{ entry: this.usable(forced, kernel), from: 0, to: n }] : chain.length ? this.split(kernel, n, chain) : [];
    return {
      kernel,
      batchSize: n,
      parts: shares.map(({ entry, from, to }) => {
        const model = entry.models[kernel];
        return {
          backend: entry.info.name,
          items: to - from,
          ...(model && { estimatedMs: estimateMs(model, to - from) }),
          check: this.opts.verifier.describe(kernel, to - from, entry),
        };
      }),
    };
  }

  /** Per kernel, the batch sizes at which the choice of backends changes. */
  routing(): RoutingInfo {
    const kernels = {} as Record<KernelName, RouteSegment[]>;
    for (const kernel of ['keccak256', 'ecrecover'] as const) {
      const at = (n: number) => this.split(kernel, n, this.chain(kernel, n)).map((s) => s.entry.info.name);
      const segments: RouteSegment[] = [];
      if (this.chain(kernel, 1).length > 0) {
        let prev = at(1);
        segments.push({ from: 1, backends: prev });
        for (let lo = 1; lo < ROUTING_MAX_ITEMS; lo *= 2) {
          const hi = lo * 2;
          if (same(at(hi), prev)) continue;
          // The estimates are lines, so the choice changes once between lo and hi: bisect for where.
          let [a, b] = [lo, hi];
          while (b - a > 1) {
            const mid = (a + b) >> 1;
            if (same(at(mid), prev)) a = mid;
            else b = mid;
          }
          prev = at(b);
          segments.push({ from: b, backends: prev });
        }
      }
      kernels[kernel] = segments;
    }
    return { verify: this.opts.verifier.level, kernels };
  }

  private async forcedEntry(forced: BackendName, kernel: KernelName): Promise<RoutedBackend> {
    const entry = this.entries.find((e) => e.info.name === forced);
    // A device still opening or calibrating in the background is waited for when asked for by name.
    if (entry?.pending && entry.info.status === 'calibrating') await entry.pending;
    return this.usable(forced, kernel);
  }

  /** The entry of a backend asked for by name, or BackendUnavailableError saying why it cannot run `kernel`. */
  private usable(name: BackendName, kernel: KernelName): RoutedBackend {
    const entry = this.entries.find((e) => e.info.name === name);
    if (!entry || !entry.backend || entry.info.status !== 'ready') {
      const why = entry?.info.status === 'calibrating' ? 'still being calibrated' : 'not among the backends this accelerator was created with';
      throw new BackendUnavailableError(name, entry?.info.reason ?? why);
    }
    if (!entry.info.kernels.includes(kernel)) throw new BackendUnavailableError(name, `it has no ${kernel} kernel`);
    return entry;
  }

  /**
   * Shares of a batch: one backend, or, where it pays, several hardware backends each given
   * (T − latency) / per-item items so that all finish at the same T. Emulated devices and the JS
   * reference share the host's cores, so splitting onto them gains nothing.
   */
  private split(kernel: KernelName, n: number, chain: RoutedBackend[]): Share[] {
    const single = [{ entry: chain[0]!, from: 0, to: n }];
    if (!this.opts.ranked || n < 2 * SPLIT_MIN_PART) return single;
    let set = chain.filter((e) => e.info.kind === 'hardware' && e.models[kernel]);
    let finish = Infinity;
    for (;;) {
      if (set.length < 2) return single;
      const inv = set.reduce((s, e) => s + 1 / e.models[kernel]!.msPerItem, 0);
      finish = (n + set.reduce((s, e) => s + e.models[kernel]!.latencyMs / e.models[kernel]!.msPerItem, 0)) / inv;
      const keep = set.filter((e) => (finish - e.models[kernel]!.latencyMs) / e.models[kernel]!.msPerItem >= SPLIT_MIN_PART);
      if (keep.length === set.length) break;
      set = keep;
    }
    const best = chain[0]!.models[kernel] ? estimateMs(chain[0]!.models[kernel], n) : Infinity;
    if (finish > best * (1 - SPLIT_MIN_GAIN)) return single;
    const shares: Share[] = [];
    let from = 0;
    set.forEach((entry, k) => {
      const m = entry.models[kernel]!;
      const to = k === set.length - 1 ? n : Math.min(n, from + Math.round((finish - m.latencyMs) / m.msPerItem));
      if (to > from) shares.push({ entry, from, to });
      from = to;
    });
    return shares;
  }

  private async runWithFallback<In>(spec: KernelSpec<In>, batch: In, order: RoutedBackend[]): Promise<KernelOutput> {
    const failures: BackendFaultError[] = [];
    for (const entry of order) {
      if (entry.info.status !== 'ready' || !entry.backend) continue;
      try {
        return await this.runOn(spec, batch, entry, entry.backend);
      } catch (err) {
        const fault =
          err instanceof BackendFaultError && err.backend === entry.info.name
            ? err
            : new BackendFaultError(entry.info.name, err instanceof Error ? err.message : String(err), { cause: err });
        failures.push(fault);
        recordFault(entry, fault.reason, true, this.opts.policy);
      }
    }
    throw new AllBackendsFailedError(failures);
  }

  private async runOn<In>(spec: KernelSpec<In>, batch: In, entry: RoutedBackend, backend: Backend): Promise<KernelOutput> {
    const count = spec.count(batch);
    const limit = backend.maxBatch ?? Infinity;
    const started = performance.now();
    const run = async (): Promise<KernelOutput> => {
      if (count <= limit) return spec.run(backend, batch);
      const chunks: Promise<KernelOutput>[] = [];
      for (let from = 0; from < count; from += limit) {
        chunks.push(spec.run(backend, spec.slice(batch, from, Math.min(count, from + limit))));
      }
      return joinOutputs(await Promise.all(chunks));
    };
    const running = run();
    // Started once the part is on its way, so that checker and backend compute at the same time.
    const check = this.opts.verifier.begin(spec, batch, entry);
    const out = await withTimeout(
      running,
      this.opts.batchTimeoutMs,
      () => new BackendFaultError(entry.info.name, `timed out after ${this.opts.batchTimeoutMs} ms on ${count} items`),
    );
    const ms = performance.now() - started;
    checkShape(spec, count, out, entry.info.name);
    entry.stats.checkedItems += await check.finish(out);
    recordSuccess(entry);
    entry.stats.batches++;
    entry.stats.timeMs += ms;
    entry.stats.items[spec.needs] += count;
    const model = entry.models[spec.needs];
    if (model && count >= RATE_MIN_ITEMS) entry.models[spec.needs] = refineCostModel(model, count, ms);
    return out;
  }
}

function same(a: BackendName[], b: BackendName[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Throws BackendFaultError if a backend's output does not have the shape of the batch's result. */
function checkShape<In>(spec: KernelSpec<In>, count: number, out: KernelOutput, name: BackendName): void {
  if (!(out.out instanceof Uint8Array) || out.out.length !== count * spec.outBytes) {
    throw new BackendFaultError(name, `malformed ${spec.id} result: ${describeLength(out.out)} for ${count} items of ${spec.outBytes} bytes`);
  }
  if (spec.needs === 'ecrecover' && (!(out.valid instanceof Uint8Array) || out.valid.length !== count)) {
    throw new BackendFaultError(name, `malformed ${spec.id} result: validity flags ${describeLength(out.valid)} for ${count} items`);
  }
}

function describeLength(v: unknown): string {
  return v instanceof Uint8Array ? `${v.length} bytes` : String(v);
}

function joinOutputs(outs: KernelOutput[]): KernelOutput {
  if (outs.length === 1) return outs[0]!;
  const valid = outs[0]!.valid ? concatBytes(outs.map((o) => o.valid!)) : null;
  const joined: KernelOutput = { out: concatBytes(outs.map((o) => o.out)), valid };
  if (outs.every((o) => o.keys)) joined.keys = concatBytes(outs.map((o) => o.keys!));
  return joined;
}
