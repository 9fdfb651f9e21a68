/**
 * Which transaction runs next: Block-STM's scheduling, holding only transaction indices and their
 * statuses (as pevm's scheduler.rs does) — never keys, values or results. A transaction is
 * `ready` (to execute, first or again), `executing`, or `executed` (a result waits for
 * validation); those below {@link Scheduler.committed} are final. Speculation runs at most
 * `window` transactions ahead of the commit point; when the recent re-execution rate says the
 * block is dependent, the scheduler falls back to in-order execution for a span.
 *
 * Dependencies known in advance (a block-declared access list) would enter here as indices too:
 * a transaction held back until the one it depends on has executed.
 */

/** Commits over which the re-execution rate is judged. */
export const FALLBACK_WINDOW = 16;
/** Transactions run in order after a fall-back before speculating again. */
export const FALLBACK_SPAN = 32;

const READY = 0;
const EXECUTING = 1;
const EXECUTED = 2;

/** One execution to run: a transaction and its incarnation (0 for the first run). */
export interface ExecutionTask {
  tx: number;
  incarnation: number;
}

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  /** How far ahead of the commit point transactions may run speculatively. */
  window: number;
  /** Re-executions per commit, over the last {@link FALLBACK_WINDOW} commits, above which the block falls back to in-order execution. */
  fallbackRatio: number;
}

export class Scheduler {
  private readonly status: Uint8Array;
  private readonly incarnations: Int32Array;
  /** reExecutions counter at each commit index, to judge the recent rate. */
  private readonly reExecAt: number[] = [];
  private next = 0;
  /** Commit index up to which execution stays in order (fall-back); -1 when speculating. */
  private inOrderUntil = -1;
  executions = 0;
  reExecutions = 0;
  inOrderTxs = 0;
  fallbacks = 0;

  constructor(
    readonly size: number,
    private readonly opts: SchedulerOptions,
  ) {
    this.status = new Uint8Array(size);
    this.incarnations = new Int32Array(size).fill(-1);
  }

  /** Transactions committed so far: every index below this one is final. */
  get committed(): number {
    return this.next;
  }

  get done(): boolean {
    return this.next === this.size;
  }

  /** The lowest ready transaction within the window, now marked executing; undefined when there is none. */
  nextTask(): ExecutionTask | undefined {
    const limit = this.next < this.inOrderUntil ? this.next + 1 : Math.min(this.size, this.next + this.opts.window);
    for (let tx = this.next; tx < limit; tx++) {
      if (this.status[tx] !== READY) continue;
      this.status[tx] = EXECUTING;
      const incarnation = ++this.incarnations[tx]!;
      this.executions++;
      if (incarnation > 0) this.reExecutions++;
      return { tx, incarnation };
    }
    return undefined;
  }

  /** An execution of `tx` finished: its result awaits validation. */
  finishExecution(tx: number): void {
    this.status[tx] = EXECUTED;
  }

  /** Whether `tx` holds a result that is not committed yet (so a change below it can void it). */
  isPending(tx: number): boolean {
    return tx >= this.next && this.status[tx] === EXECUTED;
  }

  /** Whether the next transaction to commit has a result to validate. */
  get commitReady(): boolean {
    return this.next < this.size && this.status[this.next] === EXECUTED;
  }

  /** `tx`'s result no longer holds (it read a value a lower transaction changed): run it again. */
  abort(tx: number): void {
    this.status[tx] = READY;
  }

  /** The next transaction's result held and is committed; judges whether to fall back. */
  commit(): void {
    this.next++;
    this.reExecAt[this.next] = this.reExecutions;
    if (this.next <= this.inOrderUntil) {
      this.inOrderTxs++;
      return;
    }
    if (this.next < FALLBACK_WINDOW) return;
    const recent = this.reExecutions - this.reExecAt[this.next - FALLBACK_WINDOW]!;
    if (recent > this.opts.fallbackRatio * FALLBACK_WINDOW) {
      this.inOrderUntil = this.next + FALLBACK_SPAN;
      this.fallbacks++;
    }
  }
}
