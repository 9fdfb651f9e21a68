/**
 * Which transaction runs next, shared by every thread of a block: Block-STM's scheduling, holding
 * only transaction indices and their statuses (as pevm's scheduler.rs does) — never keys, values or
 * results — in one SharedArrayBuffer that the workers update with atomics. No thread hands out
 * work: each worker takes the lowest transaction ready to execute, and whichever worker holds the
 * commit lock validates and commits the next transaction in order.
 *
 * A transaction's status word packs its incarnation and its status: `ready` (to execute, first or
 * again), `executing`, `executed` (a result in a log awaits validation), `committed`. Speculation
 * runs at most `window` transactions ahead of the commit point; when the recent re-execution rate
 * says the block is dependent, the scheduler falls back to in-order execution for a span.
 *
 * Dependencies known in advance (a block-declared access list) would enter here as indices too:
 * a transaction held back until the one it depends on has executed.
 */

/** Commits over which the re-execution rate is judged. */
export const FALLBACK_WINDOW = 16;
/** Transactions run in order after a fall-back before speculating again. */
export const FALLBACK_SPAN = 32;

export const enum TxStatus {
  Ready = 0,
  Executing = 1,
  Executed = 2,
  Committed = 3,
}

/** How a block ended, as the scheduler records it. */
export const enum BlockState {
  Running = 0,
  Done = 1,
  Failed = 2,
}

/** Why a block failed (see {@link Scheduler.failure}). */
export const enum FailureKind {
  /** The transaction's committed result is an error (ethereumjs rejected it). */
  TxRejected = 1,
  /** The transaction's gas limit exceeds what the block has left. */
  GasLimit = 2,
  /** Anything else: a worker or the main thread gave up; the reason travels separately. */
  Aborted = 3,
}

const COMMIT = 0;
const LOCK = 1;
const GEN = 2;
const STATE = 3;
const EXECUTIONS = 4;
const RE_EXECUTIONS = 5;
const IN_ORDER_UNTIL = 6;
const IN_ORDER_TXS = 7;
const FALLBACKS = 8;
const FAIL_TX = 9;
const FAIL_KIND = 10;
const HEADER = 16;
/** Pool slots a status word can name. */
export const MAX_SLOTS = 64;

/** A status word: incarnation, the executing slot (only while executing), status. */
const word = (incarnation: number, status: TxStatus, slot = 0) => (incarnation << 8) | (slot << 2) | status;
const statusOf = (w: number) => (w & 3) as TxStatus;
const slotOf = (w: number) => (w >> 2) & 63;
const incarnationOf = (w: number) => w >> 8;

/** Where a result is published: a pool slot's log and the offset in it. */
export interface ResultLocation {
  incarnation: number;
  slot: number;
  offset: number;
}

/** ES2024's Atomics.waitAsync (Node 20 has it; this project's TypeScript lib is ES2022). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string } }).waitAsync.bind(Atomics);

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

/** What every thread needs to attach to one block's scheduler. */
export interface SchedulerInit extends SchedulerOptions {
  buffer: SharedArrayBuffer;
  size: number;
  slots: number;
}

export class Scheduler {
  private readonly ctl: Int32Array;
  private readonly status: Int32Array;
  /**
   * Per transaction: where the result of its highest executed incarnation is, packed in 64 bits
   * (incarnation + 1, slot, offset / 8; 0 for none) so it is written and read atomically, and only
   * ever raised: a slow writer of an older incarnation cannot hide a newer result.
   */
  private readonly loc: BigInt64Array;
  /** reExecutions counter at each commit index, to judge the recent rate. */
  private readonly reExecAt: Int32Array;
  /** Per transaction: the block's gas used through it (once committed). */
  private readonly cumulativeGas: Float64Array;
  /**
   * Per slot: bumped by its worker at every turn of its task loop (a task taken, finished, a commit
   * round, an idle wait of at most a few ms) and every commit — what the main thread's watchdog
   * samples to tell a worker that stopped answering from one that works.
   */
  private readonly beats: Int32Array;
  readonly size: number;
  private readonly opts: SchedulerOptions;

  private constructor(readonly init: SchedulerInit) {
    const { buffer, size, slots } = init;
    this.size = size;
    this.opts = init;
    let at = 0;
    const ints = (n: number) => {
      const a = new Int32Array(buffer, at, n);
      at += 4 * n;
      return a;
    };
    this.ctl = ints(HEADER);
    this.status = ints(size);
    this.reExecAt = ints(size + 1);
    this.beats = ints(slots);
    at = (at + 7) & ~7;
    this.loc = new BigInt64Array(buffer, at, size);
    this.cumulativeGas = new Float64Array(buffer, at + 8 * size, size);
    if (slots > MAX_SLOTS) throw new RangeError(`Scheduler: at most ${MAX_SLOTS} workers, got ${slots}`);
  }

  /** A scheduler for a block of `size` transactions run by `slots` workers (the main thread creates it). */
  static create(size: number, slots: number, opts: SchedulerOptions): Scheduler {
    const ints = HEADER + 2 * size + 1 + slots;
    const buffer = new SharedArrayBuffer(((4 * ints + 7) & ~7) + 16 * size);
    const s = new Scheduler({ buffer, size, slots, ...opts });
    s.ctl[IN_ORDER_UNTIL] = -1;
    if (size === 0) s.ctl[STATE] = BlockState.Done;
    return s;
  }

  /** The same scheduler, in another thread. */
  static attach(init: SchedulerInit): Scheduler {
    return new Scheduler(init);
  }

  /** Transactions committed so far: every index below this one is final. */
  get committed(): number {
    return Atomics.load(this.ctl, COMMIT);
  }

  get state(): BlockState {
    return Atomics.load(this.ctl, STATE) as BlockState;
  }

  /** Bumped on every change that can make work: compare before waiting. */
  get generation(): number {
    return Atomics.load(this.ctl, GEN);
  }

  get counters(): { executions: number; reExecutions: number; inOrderTxs: number; fallbacks: number } {
    return {
      executions: Atomics.load(this.ctl, EXECUTIONS),
      reExecutions: Atomics.load(this.ctl, RE_EXECUTIONS),
      inOrderTxs: Atomics.load(this.ctl, IN_ORDER_TXS),
      fallbacks: Atomics.load(this.ctl, FALLBACKS),
    };
  }

  /** Why the block failed, once {@link state} is Failed. */
  get failure(): { kind: FailureKind; tx: number } {
    return { kind: Atomics.load(this.ctl, FAIL_KIND) as FailureKind, tx: Atomics.load(this.ctl, FAIL_TX) };
  }

  /** The block's gas used through committed transaction `tx`. */
  gasThrough(tx: number): number {
    return tx < 0 ? 0 : this.cumulativeGas[tx]!;
  }

  /** Where the result of `tx`'s highest executed incarnation is published, if any. */
  location(tx: number): ResultLocation | undefined {
    const v = Atomics.load(this.loc, tx);
    if (v === 0n) return undefined;
    return { incarnation: Number(v >> 40n) - 1, slot: Number((v >> 32n) & 0xffn), offset: Number(v & 0xffffffffn) * 8 };
  }

  private publishLocation(tx: number, at: ResultLocation): void {
    const v = (BigInt(at.incarnation + 1) << 40n) | (BigInt(at.slot) << 32n) | BigInt(at.offset / 8);
    for (let seen = Atomics.load(this.loc, tx); seen < v; ) {
      const was = Atomics.compareExchange(this.loc, tx, seen, v);
      if (was === seen) return;
      seen = was;
    }
  }

  private changed(): void {
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
  }

  /** `slot`'s worker made progress (see {@link beatsOf}). */
  beat(slot: number): void {
    Atomics.add(this.beats, slot, 1);
  }

  /** How often `slot`'s worker has made progress in this block: it stopped answering when this stands still while it should work. */
  beatsOf(slot: number): number {
    return Atomics.load(this.beats, slot);
  }

  /** Waits (blocking: workers only) until the generation moves past `seen` or `timeoutMs` passes. */
  waitForWork(seen: number, timeoutMs: number): void {
    Atomics.wait(this.ctl, GEN, seen, timeoutMs);
  }

  /** The main thread's wait: resolves when the generation moves past `seen` (or after `timeoutMs`). */
  async waitForChange(seen: number, timeoutMs: number): Promise<void> {
    const r = waitAsync(this.ctl, GEN, seen, timeoutMs);
    if (r.async) await r.value;
  }

  /** The lowest ready transaction within the window, now executing on `slot`; undefined when there is none. */
  nextTask(slot: number): ExecutionTask | undefined {
    const next = this.committed;
    const inOrderUntil = Atomics.load(this.ctl, IN_ORDER_UNTIL);
    // In order, one at a time (`inOrderUntil` may lie past the block's end); else up to the window.
    const limit = Math.min(this.size, next < inOrderUntil ? next + 1 : next + this.opts.window);
    for (let tx = next; tx < limit; tx++) {
      const w = Atomics.load(this.status, tx);
      if (statusOf(w) !== TxStatus.Ready) continue;
      const incarnation = incarnationOf(w);
      if (Atomics.compareExchange(this.status, tx, w, word(incarnation, TxStatus.Executing, slot)) !== w) continue;
      Atomics.add(this.ctl, EXECUTIONS, 1);
      if (incarnation > 0) Atomics.add(this.ctl, RE_EXECUTIONS, 1);
      return { tx, incarnation };
    }
    return undefined;
  }

  /** `slot`'s execution finished and its result is published at `offset` of its log: it awaits validation. */
  finishExecution(slot: number, task: ExecutionTask, offset: number): void {
    this.publishLocation(task.tx, { incarnation: task.incarnation, slot, offset });
    Atomics.compareExchange(this.status, task.tx, word(task.incarnation, TxStatus.Executing, slot), word(task.incarnation, TxStatus.Executed));
    this.changed();
  }

  /** Whether `tx`'s executed result of `incarnation` is still its latest and not committed. */
  isPending(tx: number, incarnation: number): boolean {
    return Atomics.load(this.status, tx) === word(incarnation, TxStatus.Executed);
  }

  /** `tx`'s result of `incarnation` no longer holds: run it again (false when it was already voided or committed). */
  abort(tx: number, incarnation: number): boolean {
    const ok = Atomics.compareExchange(this.status, tx, word(incarnation, TxStatus.Executed), word(incarnation + 1, TxStatus.Ready)) === word(incarnation, TxStatus.Executed);
    if (ok) this.changed();
    return ok;
  }

  /** Takes the commit lock for `slot` (false when another holds it). */
  lockCommit(slot: number): boolean {
    return Atomics.compareExchange(this.ctl, LOCK, 0, slot + 1) === 0;
  }

  unlockCommit(slot: number): void {
    Atomics.compareExchange(this.ctl, LOCK, slot + 1, 0);
  }

  /** The next transaction to commit, when it has a result to validate (the lock holder asks). */
  commitCandidate(): ExecutionTask | undefined {
    const tx = this.committed;
    if (tx >= this.size) return undefined;
    const w = Atomics.load(this.status, tx);
    return statusOf(w) === TxStatus.Executed ? { tx, incarnation: incarnationOf(w) } : undefined;
  }

  /**
   * Commits the next transaction's validated result (the lock holder calls this); false when it
   * was voided meanwhile. `gas`: what it adds to the block's gas used.
   */
  commit(task: ExecutionTask, gas: number): boolean {
    const { tx, incarnation } = task;
    if (Atomics.compareExchange(this.status, tx, word(incarnation, TxStatus.Executed), word(incarnation, TxStatus.Committed)) !== word(incarnation, TxStatus.Executed)) {
      return false;
    }
    this.advance(tx, gas);
    return true;
  }

  /** Everything after the committed mark, idempotent so that a lock holder's death halfway can be repaired. */
  private advance(tx: number, gas: number): void {
    this.cumulativeGas[tx] = this.gasThrough(tx - 1) + gas;
    const next = tx + 1;
    const reExecutions = Atomics.load(this.ctl, RE_EXECUTIONS);
    Atomics.store(this.reExecAt, next, reExecutions);
    const inOrderUntil = Atomics.load(this.ctl, IN_ORDER_UNTIL);
    if (next <= inOrderUntil) Atomics.add(this.ctl, IN_ORDER_TXS, 1);
    else if (next >= FALLBACK_WINDOW && reExecutions - Atomics.load(this.reExecAt, next - FALLBACK_WINDOW) > this.opts.fallbackRatio * FALLBACK_WINDOW) {
      Atomics.store(this.ctl, IN_ORDER_UNTIL, next + FALLBACK_SPAN);
      Atomics.add(this.ctl, FALLBACKS, 1);
    }
    Atomics.store(this.ctl, COMMIT, next);
    if (next === this.size) Atomics.compareExchange(this.ctl, STATE, BlockState.Running, BlockState.Done);
    this.changed();
  }

  /** Ends the block as failed (the first failure wins); every thread stops. */
  fail(kind: FailureKind, tx = -1): void {
    if (Atomics.compareExchange(this.ctl, STATE, BlockState.Running, BlockState.Failed) === BlockState.Running) {
      Atomics.store(this.ctl, FAIL_TX, tx);
      Atomics.store(this.ctl, FAIL_KIND, kind);
    }
    this.changed();
  }

  /**
   * Undoes what a dead worker in `slot` left half-done (the main thread calls this once the
   * worker has exited): its execution becomes ready again under a new incarnation, a commit it
   * had marked is completed (`gasOf` reads the committed result's gas), its commit lock released.
   */
  recoverSlot(slot: number, gasOf: (tx: number) => number): void {
    for (let tx = this.committed; tx < this.size; tx++) {
      const w = Atomics.load(this.status, tx);
      if (statusOf(w) === TxStatus.Executing && slotOf(w) === slot) {
        Atomics.compareExchange(this.status, tx, w, word(incarnationOf(w) + 1, TxStatus.Ready));
      }
    }
    if (Atomics.load(this.ctl, LOCK) === slot + 1) {
      const c = this.committed;
      if (c < this.size && statusOf(Atomics.load(this.status, c)) === TxStatus.Committed) this.advance(c, gasOf(c));
      this.unlockCommit(slot);
    }
    this.changed();
  }
}
