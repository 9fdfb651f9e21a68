import type { Backend } from './backend.js';
import { AllBackendsFailedError, BackendFaultError, BackendUnavailableError } from './errors.js';
import type { KernelOutput, KernelSpec } from './kernels.js';
import { concatBytes } from './packing.js';
import { withTimeout } from './timeout.js';
import type { BackendInfo, BackendName, BackendStats, KernelName } from './types.js';

/** A backend as the router tracks it. */
export interface RoutedBackend {
  backend: Backend | null;
  info: BackendInfo;
  stats: BackendStats;
  /** Items per second per kernel: calibration first, then a running average of real batches. */
  rate: Partial<Record<KernelName, number>>;
  consecutiveFaults: number;
}

export interface RouterOptions {
  batchTimeoutMs: number;
  /** Faults in a row after which a backend leaves rotation. */
  maxConsecutiveFaults: number;
  /** Keep the given order instead of ranking by measured rate. */
  ranked: boolean;
}

/** Batches smaller than this go to one backend: splitting costs more than it gains. */
const SPLIT_MIN_ITEMS = 4096;
/** A backend slower than this fraction of the fastest only slows a split batch down. */
const SPLIT_MIN_SHARE = 0.1;
/** Weight of a new measurement in the running rate. */
const RATE_EMA = 0.3;
/** Batches at least this large update the running rate (small ones measure latency, not rate). */
const RATE_MIN_ITEMS = 1024;

/**
 * Routes kernel batches to backends: picks the chain of healthy backends for a kernel, splits large
 * batches across the fast ones in proportion to their rate, times out, checks results (length and
 * a reference spot check) and re-runs a failed part on the next backend, counting every fault.
 */
export class Router {
  constructor(
    readonly entries: RoutedBackend[],
    private readonly opts: RouterOptions,
  ) {}

  /** Healthy backends that implement `kernel`, best first. */
  chain(kernel: KernelName): RoutedBackend[] {
    const ready = this.entries.filter((e) => e.info.status === 'ready' && e.info.kernels.includes(kernel));
    if (!this.opts.ranked) return ready;
    // Stable sort: hardware before software (an emulated GPU or FPGA never displaces a real CPU
    // kernel), then by measured rate.
    return ready
      .map((e, i) => ({ e, i }))
      .sort((a, b) => {
        const hw = Number(b.e.info.kind === 'hardware') - Number(a.e.info.kind === 'hardware');
        if (hw !== 0) return hw;
        const rate = (b.e.rate[kernel] ?? 0) - (a.e.rate[kernel] ?? 0);
        return rate !== 0 ? rate : a.i - b.i;
      })
      .map(({ e }) => e);
  }

  /** Runs a batch: on `forced` first if given, else split across the best backends. */
  async run<In>(spec: KernelSpec<In>, batch: In, forced?: BackendName): Promise<KernelOutput> {
    const chain = this.chain(spec.needs);
    if (forced) {
      const entry = this.entries.find((e) => e.info.name === forced);
      if (!entry || entry.info.status !== 'ready') {
        throw new BackendUnavailableError(forced, entry?.info.reason ?? 'not among the backends this accelerator was created with');
      }
      if (!entry.info.kernels.includes(spec.needs)) {
        throw new BackendUnavailableError(forced, `it has no ${spec.needs} kernel`);
      }
      return this.runWithFallback(spec, batch, [entry, ...chain.filter((e) => e !== entry)]);
    }
    if (chain.length === 0) throw new AllBackendsFailedError([]);
    const parts = this.split(spec, batch, chain);
    const outs = await Promise.all(
      parts.map(({ entry, part }) => this.runWithFallback(spec, part, [entry, ...chain.filter((e) => e !== entry)])),
    );
    return joinOutputs(outs);
  }

  private split<In>(spec: KernelSpec<In>, batch: In, chain: RoutedBackend[]) {
    const count = spec.count(batch);
    const first = chain[0]!;
    if (!this.opts.ranked || count < SPLIT_MIN_ITEMS) return [{ entry: first, part: batch }];
    const best = first.rate[spec.needs] ?? 0;
    const helpers = chain.filter(
      (e) => e.info.kind === 'hardware' && (e.rate[spec.needs] ?? 0) >= best * SPLIT_MIN_SHARE,
    );
    if (helpers.length < 2) return [{ entry: first, part: batch }];
    const total = helpers.reduce((s, e) => s + (e.rate[spec.needs] ?? 0), 0);
    const parts: { entry: RoutedBackend; part: In }[] = [];
    let from = 0;
    helpers.forEach((entry, k) => {
      const to = k === helpers.length - 1 ? count : from + Math.floor((count * (entry.rate[spec.needs] ?? 0)) / total);
      if (to > from) parts.push({ entry, part: spec.slice(batch, from, to) });
      from = to;
    });
    return parts;
  }

  private async runWithFallback<In>(spec: KernelSpec<In>, batch: In, order: RoutedBackend[]): Promise<KernelOutput> {
    const failures: BackendFaultError[] = [];
    for (const entry of order) {
      if (entry.info.status !== 'ready' || !entry.backend) continue;
      try {
        return await this.runOn(spec, batch, entry, entry.backend);
      } catch (err) {
        const fault =
          err instanceof BackendFaultError
            ? err
            : new BackendFaultError(entry.info.name, err instanceof Error ? err.message : String(err), { cause: err });
        failures.push(fault);
        this.recordFault(entry, fault);
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
    const out = await withTimeout(
      run(),
      this.opts.batchTimeoutMs,
      () => new BackendFaultError(entry.info.name, `timed out after ${this.opts.batchTimeoutMs} ms on ${count} items`),
    );
    checkOutput(spec, batch, out, entry);
    const ms = performance.now() - started;
    entry.consecutiveFaults = 0;
    entry.stats.batches++;
    entry.stats.timeMs += ms;
    entry.stats.items[spec.needs] += count;
    if (count >= RATE_MIN_ITEMS && ms > 0) {
      const measured = (count * 1000) / ms;
      const prev = entry.rate[spec.needs];
      entry.rate[spec.needs] = prev === undefined ? measured : prev * (1 - RATE_EMA) + measured * RATE_EMA;
    }
    return out;
  }

  private recordFault(entry: RoutedBackend, fault: BackendFaultError): void {
    entry.stats.errors++;
    entry.stats.fallbacks++;
    entry.stats.lastError = fault.reason;
    entry.consecutiveFaults++;
    if (entry.consecutiveFaults >= this.opts.maxConsecutiveFaults) {
      entry.info.status = 'failed';
      entry.info.reason = `taken out of rotation after ${entry.consecutiveFaults} faults in a row; last: ${fault.reason}`;
    }
  }
}

/** Throws BackendFaultError if a backend's output is malformed or fails the reference spot check. */
function checkOutput<In>(spec: KernelSpec<In>, batch: In, out: KernelOutput, entry: RoutedBackend): void {
  const count = spec.count(batch);
  const name = entry.info.name;
  if (!(out.out instanceof Uint8Array) || out.out.length !== count * spec.outBytes) {
    throw new BackendFaultError(name, `malformed ${spec.id} result: ${describeLength(out.out)} for ${count} items of ${spec.outBytes} bytes`);
  }
  if (spec.needs === 'ecrecover' && (!(out.valid instanceof Uint8Array) || out.valid.length !== count)) {
    throw new BackendFaultError(name, `malformed ${spec.id} result: validity flags ${describeLength(out.valid)} for ${count} items`);
  }
  // The JS backend is the reference itself; checking it against itself proves nothing.
  if (name === 'cpu-js' || count < spec.spotCheckMinBatch || count === 0) return;
  const i = Math.floor(Math.random() * count);
  const expected = spec.reference(batch, i);
  const ok = out.valid ? out.valid[i] === 1 : true;
  const got = out.out.subarray(i * spec.outBytes, (i + 1) * spec.outBytes);
  if ((expected === null) !== !ok || (expected !== null && !bytesEqual(expected, got))) {
    throw new BackendFaultError(name, `wrong ${spec.id} result for item ${i} of ${count} (reference spot check)`);
  }
}

function describeLength(v: unknown): string {
  return v instanceof Uint8Array ? `${v.length} bytes` : String(v);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function joinOutputs(outs: KernelOutput[]): KernelOutput {
  if (outs.length === 1) return outs[0]!;
  const valid = outs[0]!.valid ? concatBytes(outs.map((o) => o.valid!)) : null;
  return { out: concatBytes(outs.map((o) => o.out)), valid };
}
