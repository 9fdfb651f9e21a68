/** Which way a block runs: on the calling thread, one transaction after the other, or on the worker pool. */
export type ExecutionPath = 'inline' | 'parallel';

/** What the model knows of the pool a block could run on. */
export interface PoolView {
  size: number;
  /** Whether its threads are up (a cold pool first pays their start-up). */
  started: boolean;
}

/**
 * Until a pool's start-up has been measured, a cold pool is started for a block the inline path is
 * predicted to take longer than this on (the start-up is a few hundred ms: such a block repays it).
 */
const UNMEASURED_STARTUP_MS = 1000;

/** Weight of the newest measurement in the running averages. */
const ALPHA = 0.3;

const ema = (old: number, sample: number) => (Number.isNaN(old) ? sample : old + ALPHA * (sample - old));

/**
 * Chooses each block's path from measured costs, and learns from every block it sees: the
 * calling thread's cost per unit of gas (inline blocks), the workers' cost per gas, the fixed cost
 * of a parallel block beyond its execution (setup, the net write, messages), the parallelism
 * parallel blocks actually reached, and the pool's start-up. A block is predicted by its header's
 * gas used (or, for a block being built, half its transactions' gas limits). Until a quantity has
 * been measured, the model takes the path that measures it without risking much: a cold pool is
 * not started for a block the inline path would finish sooner than the start-up, and is for a
 * larger one (which measures the start-up).
 */
export class CostModel {
  inlineMsPerGas = NaN;
  workerMsPerGas = NaN;
  parallelOverheadMs = NaN;
  parallelism = NaN;
  startupMs = NaN;

  /** The path predicted fastest for a block of `gas`. */
  choose(gas: number, pool: PoolView): ExecutionPath {
    const perGas = Number.isNaN(this.inlineMsPerGas) ? this.workerMsPerGas : this.inlineMsPerGas;
    if (Number.isNaN(perGas)) return pool.started ? 'parallel' : 'inline';
    const inline = gas * perGas;
    const workerPerGas = Number.isNaN(this.workerMsPerGas) ? perGas : this.workerMsPerGas;
    const parallelism = Number.isNaN(this.parallelism) ? Math.min(2, pool.size) : Math.min(this.parallelism, pool.size);
    // Until a warm block has measured it, a parallel block's fixed cost is taken to be the cold
    // start's (which includes it): else, after the first parallel block, every small one looked
    // cheaper on the pool than inline.
    const overhead = Number.isNaN(this.parallelOverheadMs) ? (Number.isNaN(this.startupMs) ? 0 : this.startupMs) : this.parallelOverheadMs;
    if (!pool.started && Number.isNaN(this.startupMs)) return inline < UNMEASURED_STARTUP_MS ? 'inline' : 'parallel';
    const startup = pool.started ? 0 : this.startupMs;
    const parallel = startup + overhead + (gas * workerPerGas) / parallelism;
    return parallel < inline ? 'parallel' : 'inline';
  }

  /** An inline block of `gas` took `ms` to execute. */
  recordInline(gas: number, ms: number): void {
    if (gas > 0) this.inlineMsPerGas = ema(this.inlineMsPerGas, ms / gas);
  }

  /**
   * A parallel block of `gas` took `totalMs` of execution, of which `runMs` from the workers'
   * start to the last commit, its workers `workerMs` in all; `coldStartMs`: the pool's start-up
   * it paid first, if it did.
   */
  recordParallel(gas: number, m: { totalMs: number; runMs: number; workerMs: number }, coldStartMs?: number): void {
    if (gas <= 0 || m.workerMs <= 0 || m.runMs <= 0) return;
    this.workerMsPerGas = ema(this.workerMsPerGas, m.workerMs / gas);
    if (coldStartMs !== undefined) {
      this.startupMs = ema(this.startupMs, coldStartMs);
      return;
    }
    this.parallelism = ema(this.parallelism, Math.max(1, m.workerMs / m.runMs));
    this.parallelOverheadMs = ema(this.parallelOverheadMs, Math.max(0, m.totalMs - m.runMs));
  }
}

/** Gas a block is predicted to use: its header's, or half its transactions' limits for a block being built. */
export function predictedGas(header: { gasUsed: bigint }, txGasLimits: readonly bigint[]): number {
  if (header.gasUsed > 0n) return Number(header.gasUsed);
  return Number(txGasLimits.reduce((a, b) => a + b, 0n)) / 2;
}

/** The model executeBlock uses unless given one: per process, learning across blocks. */
export const defaultCostModel = new CostModel();
