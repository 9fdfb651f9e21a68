import { keccakReference } from '../backends/cpu/js-backend.js';
import { estimateMs, type CostModel } from './cost-model.js';
import { BackendFaultError } from './errors.js';
import { recordFault, recordSuccess, type HealthPolicy } from './health.js';
import { keysAsMessages, KECCAK, type KernelOutput, type KernelSpec } from './kernels.js';
import { ADDRESS_BYTES, DIGEST_BYTES, PUBKEY_BYTES } from './packing.js';
import { isEmulated, isHost, type RoutedBackend } from './routed-backend.js';
import { withTimeout } from './timeout.js';
import type { BackendName, CheckPlan, KernelName, VerifyLevel } from './types.js';

/**
 * Share of a batch's estimated time that `'sample'` spends recomputing random items. The check runs
 * while the batch computes, on another backend, so it costs wall time only where both share cores;
 * 2% keeps 'sample' within 5% of 'none' even then, with room for calibration error.
 */
export const SAMPLE_BUDGET = 0.02;

/** Who recomputes: an independent backend, or the in-process reference where none is ready. */
export type Checker = RoutedBackend | 'reference';

/** Number of random items `'sample'` recomputes for a part of n items: the rule CheckPlan states. */
export function sampleSize(n: number, primary: CostModel | undefined, checker: CostModel | undefined): number {
  if (!primary || !checker) return Math.min(1, n);
  const k = Math.floor((SAMPLE_BUDGET * estimateMs(primary, n) - checker.latencyMs) / checker.msPerItem);
  return Math.max(1, Math.min(n, k));
}

/** k distinct indices in [0, n), uniformly (Floyd's algorithm), ascending. */
export function sampleIndices(n: number, k: number, random: () => number = Math.random): Uint32Array {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}

/** Items outside the sample that the backend called valid (`claimedValid`) or invalid, ascending. */
function unsampled(valid: Uint8Array, sampled: Uint32Array, claimedValid: boolean): number[] {
  const inSample = new Set(sampled);
  const items: number[] = [];
  for (let i = 0; i < valid.length; i++) if ((valid[i] === 1) === claimedValid && !inSample.has(i)) items.push(i);
  return items;
}

/** The JS reference checks in-process: cpu-js and 'reference' are the same code. */
function isReference(c: Checker): boolean {
  return c === 'reference' || c.info.name === 'cpu-js';
}

function checkerName(c: Checker): BackendName | 'reference' {
  return c === 'reference' ? 'reference' : c.info.name;
}

/** Whether item i of `out` equals `want` (null: recovery failed). */
function itemEquals(out: KernelOutput, size: number, i: number, want: Uint8Array | null): boolean {
  const valid = out.valid ? out.valid[i] === 1 : true;
  if (want === null) return !valid;
  if (!valid || want.length !== size) return false;
  for (let b = 0; b < size; b++) if (out.out[i * size + b] !== want[b]) return false;
  return true;
}

/** Item j of a checker's output, as the reference shape (bytes, or null when invalid). */
function itemOf(out: KernelOutput, size: number, j: number): Uint8Array | null {
  return out.valid && out.valid[j] !== 1 ? null : out.out.subarray(j * size, (j + 1) * size);
}

interface Settings {
  level: VerifyLevel;
  entries: readonly RoutedBackend[];
  policy: HealthPolicy;
  batchTimeoutMs: number;
}

/** A checker's results, and who computed them (the reference where the checker failed). */
interface Recomputed {
  out: KernelOutput;
  by: Checker;
}

/** A check started alongside a batch; `finish` compares once the batch's result is in. */
export interface PendingCheck {
  /** Throws BackendFaultError naming the primary when a wrong item is confirmed; returns items recomputed. */
  finish(out: KernelOutput): Promise<number>;
}

const NO_CHECK: PendingCheck = { finish: async () => 0 };

/**
 * Checks backend results against an independent backend, per the verification level:
 * - `'sample'`: {@link sampleSize} random items of every part, recomputed on the checker that fits
 *   the most of them into the budget, concurrently with the part itself (a draw that lands on a
 *   signature the backend calls invalid is replaced by one it calls valid); plus, always, every
 *   `null` (failed recovery) re-checked on a CPU backend, and where a backend composed addresses
 *   from keys, every address against the Keccak of its key;
 * - `'full'`: every item recomputed on the fastest independent backend;
 * - `'none'`: nothing beyond the result's shape.
 * cpu-js is the reference itself and is not checked. A disagreement is settled by the reference:
 * the backend it proves wrong takes the fault (the primary's batch is then re-run elsewhere).
 */
export class Verifier {
  constructor(private readonly s: Settings) {}

  get level(): VerifyLevel {
    return this.s.level;
  }

  /** How a part of n items on `primary` is checked; null when it is not. */
  plan(kernel: KernelName, n: number, primary: RoutedBackend): { by: Checker; items: number } | null {
    if (this.s.level === 'none' || primary.info.name === 'cpu-js' || n === 0) return null;
    const by = this.checker(kernel, n, primary, this.s.level);
    const items = this.s.level === 'full' ? n : sampleSize(n, primary.calibrated[kernel], by === 'reference' ? undefined : by.calibrated[kernel]);
    return { by, items };
  }

  /** The public form of {@link plan}. */
  describe(kernel: KernelName, n: number, primary: RoutedBackend): CheckPlan | null {
    const p = this.plan(kernel, n, primary);
    return p && { by: checkerName(p.by), items: p.items, detection: p.items / n };
  }

  /**
   * Starts the check of a part that `primary` is computing: draws the items and has the checker
   * recompute them now, so both run at once (call it after the part has been dispatched).
   */
  begin<In>(spec: KernelSpec<In>, batch: In, primary: RoutedBackend): PendingCheck {
    const n = spec.count(batch);
    const plan = this.plan(spec.needs, n, primary);
    if (!plan) return NO_CHECK;
    const indices = plan.items >= n ? null : sampleIndices(n, plan.items);
    const expected = this.recompute(spec, batch, indices, plan.by);
    return {
      finish: async (out) => {
        const wrong = (i: number, by: Checker) =>
          new BackendFaultError(
            primary.info.name,
            `wrong ${spec.id} result for item ${i} of ${n} (reference ${this.s.level === 'full' ? 'full' : 'spot'} check on ${checkerName(by)})`,
          );
        const sampled = await this.compare(spec, batch, out, indices, await expected, primary, wrong);
        if (this.s.level !== 'sample') return sampled;
        const topUp = await this.topUpWithValid(spec, batch, out, indices, plan.by, primary, wrong);
        const nulls = await this.recheckNulls(spec, batch, out, indices, primary);
        if (out.keys) await this.checkAddressesAreKeccakOfKeys(out, primary);
        return sampled + topUp + nulls;
      },
    };
  }

  /**
   * The independent backend to check `primary` with: for `'full'` the fastest on n items; for
   * `'sample'` the one that recomputes the most items within the budget (the fastest on one item
   * where none fits more). Uncalibrated candidates only where none is calibrated.
   */
  private checker(kernel: KernelName, n: number, primary: RoutedBackend, level: VerifyLevel, hostOnly = false): Checker {
    // A backend whose last operation was a fault (as the primary of this very batch, say) checks nothing.
    const candidates = this.s.entries.filter(
      (e) =>
        e !== primary &&
        e.backend &&
        e.info.status === 'ready' &&
        e.health.consecutiveFaults === 0 &&
        e.info.kernels.includes(kernel) &&
        (!hostOnly || isHost(e.info.name)),
    );
    const measured = candidates.filter((e) => e.calibrated[kernel]);
    if (measured.length === 0) {
      return (
        candidates.find((e) => e.info.kind === 'hardware' && !isEmulated(e)) ?? candidates.find((e) => e.info.name === 'cpu-js') ?? candidates[0] ?? 'reference'
      );
    }
    const cost = (e: RoutedBackend, items: number) => estimateMs(e.calibrated[kernel]!, items);
    if (level === 'full') return measured.reduce((a, b) => (cost(b, n) < cost(a, n) ? b : a));
    const items = (e: RoutedBackend) => sampleSize(n, primary.calibrated[kernel], e.calibrated[kernel]);
    return measured.reduce((a, b) => {
      const ka = items(a);
      const kb = items(b);
      if (ka !== kb) return kb > ka ? b : a;
      return cost(b, kb) < cost(a, ka) ? b : a;
    });
  }

  /**
   * The checker's results for the items at `indices` (all when null), started now. A checker that
   * throws or times out takes a fault of its own and the reference recomputes instead.
   */
  private recompute<In>(spec: KernelSpec<In>, batch: In, indices: Uint32Array | null, by: Checker): Promise<Recomputed> {
    const sub = indices ? spec.pick(batch, indices) : batch;
    if (isReference(by)) return Promise.resolve({ out: referenceOutput(spec, sub), by });
    const checker = by as RoutedBackend;
    const count = spec.count(sub);
    const run = withTimeout(
      spec.run(checker.backend!, sub),
      this.s.batchTimeoutMs,
      () => new Error(`timed out after ${this.s.batchTimeoutMs} ms checking ${count} items`),
    );
    return run.then(
      (out) => {
        if (out.out.length !== count * spec.outBytes || (spec.needs === 'ecrecover' && out.valid?.length !== count)) {
          throw new Error(`malformed ${spec.id} result while checking ${count} items`);
        }
        return { out, by };
      },
    ).catch((err: unknown) => {
      recordFault(checker, `while checking: ${err instanceof Error ? err.message : String(err)}`, false, this.s.policy);
      return { out: referenceOutput(spec, sub), by: 'reference' as const };
    });
  }

  /** Compares the recomputed items; a disagreement goes to the reference, which names the wrong side. */
  private async compare<In>(
    spec: KernelSpec<In>,
    batch: In,
    out: KernelOutput,
    indices: Uint32Array | null,
    { out: expected, by }: Recomputed,
    primary: RoutedBackend,
    wrong: (i: number, by: Checker) => BackendFaultError,
  ): Promise<number> {
    const m = indices ? indices.length : spec.count(batch);
    let checkerBlamed = false;
    for (let j = 0; j < m; j++) {
      const i = indices ? indices[j]! : j;
      if (itemEquals(out, spec.outBytes, i, itemOf(expected, spec.outBytes, j))) continue;
      if (isReference(by) || !itemEquals(out, spec.outBytes, i, spec.reference(batch, i))) throw wrong(i, by);
      if (!checkerBlamed) {
        checkerBlamed = true;
        recordFault(by as RoutedBackend, `wrong ${spec.id} result for an item while checking ${primary.info.name} (settled by the reference)`, false, this.s.policy);
      }
    }
    // A check it got right ends a checker's run of faults, as a batch does.
    if (!checkerBlamed && !isReference(by)) recordSuccess(by as RoutedBackend);
    return m;
  }

  /**
   * The sample is drawn before the part's result exists, so it can land on signatures the backend
   * calls invalid; those are re-checked with every other null anyway, and a sample made only of
   * them would say nothing about the keys handed out. Each such draw is replaced by a random item
   * the backend called valid, so a device that corrupts every key is caught by every sample.
   */
  private async topUpWithValid<In>(
    spec: KernelSpec<In>,
    batch: In,
    out: KernelOutput,
    sampled: Uint32Array | null,
    by: Checker,
    primary: RoutedBackend,
    wrong: (i: number, by: Checker) => BackendFaultError,
  ): Promise<number> {
    if (!out.valid || !sampled) return 0;
    const valid = out.valid;
    const missed = sampled.filter((i) => valid[i] !== 1).length;
    if (missed === 0) return 0;
    const others = unsampled(valid, sampled, true);
    if (others.length === 0) return 0;
    const picked = sampleIndices(others.length, Math.min(missed, others.length));
    const idx = Uint32Array.from(picked, (j) => others[j]!).sort();
    return this.compare(spec, batch, out, idx, await this.recompute(spec, batch, idx, by), primary, wrong);
  }

  /**
   * Every failed recovery not already sampled is recomputed on a CPU backend: valid signatures are
   * the norm, so this is nearly free, and it catches a device that answers null for everything.
   */
  private async recheckNulls<In>(spec: KernelSpec<In>, batch: In, out: KernelOutput, sampled: Uint32Array | null, primary: RoutedBackend): Promise<number> {
    if (!out.valid || !sampled) return 0;
    const nulls = unsampled(out.valid, sampled, false);
    if (nulls.length === 0) return 0;
    const by = this.checker(spec.needs, nulls.length, primary, 'full', true);
    const n = spec.count(batch);
    const wrong = (i: number, by: Checker) =>
      new BackendFaultError(primary.info.name, `wrong ${spec.id} result for item ${i} of ${n}: null for a valid signature (re-checked on ${checkerName(by)})`);
    if (isReference(by)) {
      // One at a time: a backend that answers null for everything is caught at the first.
      for (const i of nulls) if (spec.reference(batch, i) !== null) throw wrong(i, by);
    } else {
      const idx = Uint32Array.from(nulls);
      await this.compare(spec, batch, out, idx, await this.recompute(spec, batch, idx, by), primary, wrong);
    }
    return nulls.length;
  }

  /** Where a backend computed both key and address, each address must be the Keccak of its key. */
  private async checkAddressesAreKeccakOfKeys(out: KernelOutput, primary: RoutedBackend): Promise<void> {
    const valid: number[] = [];
    for (let i = 0; i < out.valid!.length; i++) if (out.valid![i] === 1) valid.push(i);
    if (valid.length === 0) return;
    const keys = keysAsMessages(out.keys!, out.valid!.length, valid);
    const by = this.checker('keccak256', valid.length, primary, 'full');
    const { out: digests } = await this.recompute(KECCAK, keys, null, by);
    valid.forEach((i, j) => {
      const want = digests.out.subarray(j * DIGEST_BYTES + DIGEST_BYTES - ADDRESS_BYTES, (j + 1) * DIGEST_BYTES);
      if (itemEquals(out, ADDRESS_BYTES, i, want)) return;
      const ref = keccakReference(out.keys!.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES)).subarray(DIGEST_BYTES - ADDRESS_BYTES);
      if (!itemEquals(out, ADDRESS_BYTES, i, ref)) {
        throw new BackendFaultError(primary.info.name, `wrong addresses result for item ${i}: the address is not the Keccak of the recovered key`);
      }
    });
  }
}

/** The reference's results for a whole (small) batch, in a kernel's output shape. */
function referenceOutput<In>(spec: KernelSpec<In>, batch: In): KernelOutput {
  const n = spec.count(batch);
  const out = new Uint8Array(n * spec.outBytes);
  const valid = spec.needs === 'ecrecover' ? new Uint8Array(n) : null;
  for (let i = 0; i < n; i++) {
    const r = spec.reference(batch, i);
    if (r === null) continue;
    out.set(r, i * spec.outBytes);
    if (valid) valid[i] = 1;
  }
  return { out, valid };
}
