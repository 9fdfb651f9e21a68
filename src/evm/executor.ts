import type { Block } from '@ethereumjs/block';
import { Hardfork, type StateManagerInterface } from '@ethereumjs/common';
import { hexToBytes } from '@ethereumjs/util';
import { serialize } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { BaseStateCache } from './base-cache.js';
import { applyWrites } from './block-commit.js';
import { applyPostBlock, applyPrelude } from './block-steps.js';
import { KZG_ON_DEMAND, loadKzgOnce } from './chain.js';
import { ByteReader, readWriteSet } from './codec.js';
import { defaultCostModel, predictedGas, type CostModel, type ExecutionPath } from './cost-model.js';
import { StateSourceError, TxError, WorkerFailureError } from './errors.js';
import type { RecoveredAuthorities } from './forks/authorities.js';
import { commonSpec } from './forks/common-spec.js';
import { assertSupported } from './forks/supported.js';
import { executeInline } from './inline.js';
import { TxEntryReader } from './log-entry.js';
import { MainThreadClock, type MainThreadTimings } from './main-thread-time.js';
import type { WriteSet } from './mv-memory.js';
import type { BlockOutcome } from './outcome.js';
import type { BlockSetup, Fatal, FromWorker, ReadRequest, ToWorker, TxOutcome } from './protocol.js';
import { ReceiptAccumulator } from './receipts.js';
import { BlockState, FailureKind, Scheduler } from './scheduler.js';
import { recoverSignatures, senderHex, type RecoveredSignatures, type SenderRecovery } from './senders.js';
import { SharedBaseLog } from './shared-base.js';
import { accountKey, keyHex, type StateKey } from './state-key.js';
import { readSourceKey, type StateSource } from './state-source.js';
import type { StateValue } from './state-value.js';
import { WorkerPool } from './worker-pool.js';
import { WorkerWatchdog } from './worker-watchdog.js';

export { FALLBACK_SPAN, FALLBACK_WINDOW } from './scheduler.js';

/** Options of {@link executeBlock}. */
export interface ExecuteBlockOptions {
  /** The state manager the post-state is written into (it must hold the pre-state; it may also be the source's). */
  target: StateManagerInterface;
  /** Batched sender recovery; without one, ethereumjs recovers senders one by one on the main thread. */
  accelerator?: SenderRecovery;
  /** Worker threads for a pool created (and closed) for this call; ignored with `pool`. */
  workers?: number;
  /** The pool to run on (the caller closes it); default: the process's warm pool ({@link WorkerPool.shared}). */
  pool?: WorkerPool;
  /**
   * `inline`: on the calling thread, one transaction after the other; `parallel`: Block-STM on the
   * pool; `auto` (default): whichever the cost model predicts fastest for this block.
   */
  mode?: 'auto' | ExecutionPath;
  /** The cost model `auto` asks and teaches (default: one per process). */
  costModel?: CostModel;
  /**
   * The block's senders, already recovered (20 bytes per transaction, see {@link recoverSignatures}):
   * a caller replaying many blocks recovers the next blocks' while this one executes
   * (`SenderPrefetcher.signatures(block)` gives `senders` and `authorities` to spread in here).
   */
  senders?: Uint8Array;
  /**
   * With `senders`: the block's EIP-7702 authorities recovered in the same batch; without them the
   * workers' runTx recovers authorities itself.
   */
  authorities?: RecoveredAuthorities;
  /**
   * Fall back to in-order execution (one transaction at a time, no speculation) for the next
   * {@link FALLBACK_SPAN} transactions whenever the last {@link FALLBACK_WINDOW} commits needed more
   * than this fraction of re-executions; default 0.5. `Infinity` never falls back.
   */
  fallbackRatio?: number;
  /** How far ahead of the commit point transactions may run speculatively (default 64). */
  window?: number;
  /**
   * Milliseconds a read of the state source may take before the block fails with a
   * {@link StateSourceError} (default: no limit).
   */
  readTimeoutMs?: number;
  /**
   * Times a block replaces a worker that died (exited, crashed) or stopped answering before it
   * gives up with a {@link WorkerFailureError} (default 3).
   */
  maxWorkerRestarts?: number;
  /**
   * Milliseconds a worker may go without progress — no task taken or finished, no commit, no idle
   * turn — while it should be working, before it counts as stuck (an endless loop, a deadlock, a
   * native call that never returns): it is terminated and replaced, and its task re-run. Time a
   * worker spends waiting for the main thread (a state-source read, the KZG loading) does not count.
   * Default 60 000: one legal transaction can keep ethereumjs busy for seconds (a block-sized
   * transaction of costly precompile calls or memory expansion runs at a few Mgas/s, slower on a
   * loaded machine), and a false stall costs a re-run; a limit an order of magnitude above the
   * slowest transaction seen still ends a real hang in a minute. A worker that has not made its
   * first progress in the block yet (still starting) gets at least 15 s. `Infinity` turns the
   * watchdog off.
   */
  workerStallMs?: number;
  /**
   * Senders the block is known to have (a fixture's `from`, 0x-hex per transaction): a recovered
   * sender that differs is reported as a bad signature of that transaction instead of executing.
   */
  expectedSenders?: readonly (string | undefined)[];
}

/** What {@link executeBlock} returns: the block outcome, per-transaction results and scheduling counters. */
export interface ExecuteBlockResult extends BlockOutcome {
  txs: TxOutcome[];
  /** EIP-7685 execution requests (Prague on): each type's bytes, type byte ‖ data, in type order; `requestsHash` commits to them. */
  requests?: Uint8Array[];
  /** Executions started, first runs and re-runs. */
  executions: number;
  /** Executions beyond the first of each transaction. */
  reExecutions: number;
  /** Transactions committed while the block had fallen back to in-order execution. */
  inOrderTxs: number;
  /** Times the block fell back to in-order execution. */
  fallbacks: number;
  /** The path the block took. */
  path: ExecutionPath;
  /** Workers that died or stopped answering during the block and were replaced (their tasks re-run). */
  workerRestarts: number;
  /** Of {@link workerRestarts}, the workers that stopped answering (see `workerStallMs`). */
  workerStalls: number;
  /** Workers that ran it (0 inline). */
  workers: number;
  /**
   * Milliseconds: sender recovery (on the parallel path with the transactions' encoding for the
   * workers, which overlaps it), execution and commit, whole call; the workers' summed execution
   * time; and the main thread's busy time during execution, split by what it did.
   */
  timings: { sendersMs: number; executeMs: number; totalMs: number; workerMs: number; main: MainThreadTimings };
}

/**
 * Executes a block with Block-STM on worker threads and writes the post-state into `opts.target`.
 * Transactions run optimistically in block order on the workers, each against the multi-version
 * memory; results are validated (every value read must still be what the memory holds below the
 * transaction) and committed strictly in order; a failed validation re-executes the transaction.
 * The outcome — state, receipts, gas, bloom, requests — is that of sequential `runBlock`. On any
 * error the target is reverted to the pre-state.
 */
export async function executeBlock(block: Block, source: StateSource, opts: ExecuteBlockOptions): Promise<ExecuteBlockResult> {
  assertSupported(block);
  const t0 = performance.now();
  const recovery: Promise<RecoveredSignatures> = opts.senders
    ? Promise.resolve({ senders: opts.senders, authorities: opts.authorities ?? { keys: [], addresses: [] } })
    : recoverSignatures(block, opts.accelerator);
  const ownPool = opts.pool === undefined && opts.workers !== undefined;
  const pool = opts.pool ?? (ownPool ? WorkerPool.create(opts.workers) : WorkerPool.shared());
  try {
    const model = opts.costModel ?? defaultCostModel;
    const gas = predictedGas(block.header, block.transactions.map((tx) => tx.gasLimit));
    const path = opts.mode === undefined || opts.mode === 'auto' ? model.choose(gas, pool) : opts.mode;
    // The workers' copy of the transactions, encoded while the accelerator recovers the senders
    // off this thread (ethereumjs takes ~10 µs a transaction).
    const txs = path === 'parallel' ? block.transactions.map((tx) => tx.serialize()) : [];
    const signatures = await recovery;
    const { senders } = signatures;
    opts.expectedSenders?.forEach((want, i) => {
      const got = senderHex(senders, i);
      if (want !== undefined && want.toLowerCase() !== got) {
        throw new TxError(i, block.transactions[i]!, `bad signature: it recovers sender ${got}, the block says ${want.toLowerCase()}`);
      }
    });
    const t1 = performance.now();
    await opts.target.checkpoint();
    try {
      let outcome: RunOutcome;
      if (path === 'inline') {
        outcome = await runInline(block, source, opts.target, senders);
        model.recordInline(gas, performance.now() - t1);
      } else {
        const cold = !pool.started;
        pool.acquire();
        try {
          outcome = await new BlockRun(block, source, opts, pool, signatures, txs).execute();
        } finally {
          pool.release();
        }
        const totalMs = performance.now() - t1;
        model.recordParallel(gas, { totalMs, runMs: outcome.stats.runMs, workerMs: outcome.stats.workerMs }, cold ? totalMs - outcome.stats.runMs : undefined);
      }
      await opts.target.commit();
      const t2 = performance.now();
      const { stats, ...rest } = outcome;
      return {
        ...rest,
        path,
        workers: path === 'inline' ? 0 : pool.size,
        timings: { sendersMs: t1 - t0, executeMs: t2 - t1, totalMs: t2 - t0, workerMs: stats.workerMs, main: stats.main },
      };
    } catch (e) {
      await opts.target.revert();
      if (path === 'parallel' && !ownPool) await pool.recycle();
      throw e;
    }
  } finally {
    if (ownPool) await pool.close();
  }
}

/**
 * The inline path, run again from the pre-state if a point-evaluation call found the on-demand
 * KZG not loaded yet (see KZG_ON_DEMAND).
 */
async function runInline(block: Block, source: StateSource, target: StateManagerInterface, senders: Uint8Array): Promise<RunOutcome> {
  const clock = new MainThreadClock();
  const missed = KZG_ON_DEMAND.missed;
  let out = await executeInline(block, source, target, senders);
  if (KZG_ON_DEMAND.missed !== missed) {
    await target.revert();
    await target.checkpoint();
    await loadKzgOnce();
    out = await executeInline(block, source, target, senders);
  }
  const n = block.transactions.length;
  return { ...out, executions: n, reExecutions: 0, inOrderTxs: 0, fallbacks: 0, workerRestarts: 0, workerStalls: 0, stats: { workerMs: 0, runMs: 0, main: clock.read(n) } };
}

type RunOutcome = Omit<ExecuteBlockResult, 'path' | 'workers' | 'timings'> & { stats: { workerMs: number; runMs: number; main: MainThreadTimings } };

/** How long the main thread sleeps between looks at the scheduler, should a wake-up be missed. */
const FOLLOW_WAIT_MS = 50;
/** The least time between two looks, so that the main thread wakes per batch of commits, not per commit. */
const FOLLOW_GAP_MS = 4;
/** The slot whose worker sends the block's net writes. */
const COLLECTOR = 0;
/** How long to wait for a failing worker's reason after it marked the block failed. */
const FATAL_GRACE_MS = 2_000;
/** Default of `workerStallMs` (see there why). */
const WORKER_STALL_MS = 60_000;

/**
 * One block on the pool, as the main thread sees it: it starts the workers on the shared
 * scheduler, serves the pre-block reads they cannot make themselves, follows the commit index to
 * build receipts (applying each transaction to the target where receipts carry state roots), and
 * at the end writes the block's net writes into the target once.
 */
class BlockRun {
  private readonly n: number;
  private readonly scheduler: Scheduler;
  private readonly base: BaseStateCache;
  private readonly sharedBase: SharedBaseLog;
  private readonly receipts: ReceiptAccumulator;
  private readonly clock = new MainThreadClock();
  private readonly perTxRoots: boolean;
  private readonly signals: Int32Array[];
  /** Code deployed by the block's committed transactions (pre-Byzantium path), by hash. */
  private readonly codes = new Map<string, Uint8Array>();
  private followed = 0;
  /** Set once the net writes are in: a worker exiting after that no longer matters. */
  private finished = false;
  /** Set once execute() has returned or thrown: the pool may be running the next block. */
  private over = false;
  private restarts = 0;
  private stalls = 0;
  private lastCrash: Error | undefined;
  private readonly watchdog: WorkerWatchdog;
  /** Per slot: requests its worker waits on the main thread for (reads, KZG calls): it is not stuck meanwhile. */
  private readonly waiting: number[];
  /** Slots whose worker is being replaced (the old thread not ended yet). */
  private readonly replacing = new Set<number>();
  private shared: SharedArrayBuffer | undefined;
  private readonly listeners: (() => void)[] = [];
  /** From the workers' start to the last commit. */
  private runMs = 0;
  private fatal: Fatal | undefined;
  private workerError: Error | undefined;
  private net: ((writes: Uint8Array) => void) | undefined;
  /** What the block's prelude wrote into the target before any transaction. */
  private prelude: WriteSet = { values: [], deltas: [], codes: [] };
  private wake: (() => void) | undefined;
  /** The accounts read ahead for the workers (see prefetchAccounts); settles without failing. */
  private prefetching: Promise<void> = Promise.resolve();

  constructor(
    private readonly block: Block,
    private readonly source: StateSource,
    private readonly opts: ExecuteBlockOptions,
    private readonly pool: WorkerPool,
    private readonly signatures: RecoveredSignatures,
    /** The block's transactions, encoded. */
    private readonly txs: Uint8Array[],
  ) {
    this.n = block.transactions.length;
    this.scheduler = Scheduler.create(this.n, pool.size, { window: opts.window ?? 64, fallbackRatio: opts.fallbackRatio ?? 0.5 });
    const limit = <T>(what: string, p: Promise<T>) => withTimeout(p, opts.readTimeoutMs, what);
    this.base = new BaseStateCache({
      state: (key) => limit(key, readSourceKey(source, key)),
      code: (address, codeHash) => limit(codeHash, source.getCode(hexToBytes(`0x${address}`))),
    });
    this.sharedBase = new SharedBaseLog(pool.baseLog);
    this.receipts = new ReceiptAccumulator(block);
    this.perTxRoots = !block.common.gteHardfork(Hardfork.Byzantium);
    this.signals = pool.workers.map(() => new Int32Array(new SharedArrayBuffer(8)));
    this.waiting = pool.workers.map(() => 0);
    this.watchdog = new WorkerWatchdog(
      (slot) => this.scheduler.beatsOf(slot),
      pool.size,
      opts.workerStallMs ?? WORKER_STALL_MS,
      (slot) => this.shouldWork(slot),
      (slot, quietMs, limitMs, starting) => this.stalled(slot, quietMs, limitMs, starting),
    );
  }

  async execute(): Promise<RunOutcome> {
    const prelude = (this.prelude = await applyPrelude({ block: this.block, target: this.opts.target }));
    if (this.n === 0) return this.finish();
    const setup: BlockSetup = {
      header: this.block.header.serialize(),
      common: commonSpec(this.block.common),
      txs: this.txs,
      senders: this.signatures.senders,
      authorities: this.signatures.authorities,
      kzg: this.block.common.isActivatedEIP(4844),
      prelude,
      ...(this.source.snapshot && { snapshot: this.source.snapshot() }),
    };
    this.shared = this.clock.time('messaging', () => {
      const bytes = serialize(setup);
      const sab = new SharedArrayBuffer(bytes.length);
      new Uint8Array(sab).set(bytes);
      return sab;
    });
    this.pool.reset();
    this.pool.workers.forEach((worker, slot) => this.listen(worker, slot));
    this.watchdog.start();
    try {
      this.pool.workers.forEach((worker, slot) => this.post(worker, this.begin(slot)));
      if (!this.source.snapshot && !this.perTxRoots) this.prefetching = this.prefetchAccounts();
      const r0 = performance.now();
      await this.follow();
      this.runMs = performance.now() - r0;
      return await this.finish();
    } catch (e) {
      this.scheduler.fail(FailureKind.Aborted);
      // The caller reverts the target next, which may be the source a read ahead is reading.
      await this.prefetching;
      throw e;
    } finally {
      this.over = true;
      this.watchdog.stop();
      for (const worker of this.pool.workers) this.post(worker, { type: 'end' });
      this.listeners.forEach((off) => off());
    }
  }

  /**
   * A source without a snapshot (a node's state manager) makes every pre-block value a worker
   * needs a round trip to this thread: a message each way and a wait, about 0.3 ms a transaction
   * for plain transfers. The accounts every transaction reads — its sender and recipient, and the
   * fee recipient — are read here while the workers start, in block order, and published in the
   * shared base log, where a worker looks before it asks. Best effort: a read that fails is left to
   * the worker that needs it (which reports it as such); it stops when the block stops running, and
   * the block's writes wait for it (the source may be the target).
   */
  private async prefetchAccounts(): Promise<void> {
    const keys = new Set<StateKey>([accountKey(keyHex(this.block.header.coinbase.bytes))]);
    this.block.transactions.forEach((tx, i) => {
      keys.add(accountKey(keyHex(this.signatures.senders.subarray(20 * i, 20 * i + 20))));
      if (tx.to) keys.add(accountKey(keyHex(tx.to.bytes)));
    });
    try {
      for (const key of keys) {
        if (this.scheduler.state !== BlockState.Running) return;
        // Already served to a worker that asked first, and published then.
        if (this.base.peek(key) !== undefined) continue;
        const value = await this.clock.timeAsync('reads', async () => this.base.get(key));
        if (this.scheduler.state !== BlockState.Running) return;
        this.clock.time('reads', () => this.sharedBase.publishState(key, value));
      }
    } catch {
      // Left to the worker that reads it.
    }
  }

  private begin(slot: number): ToWorker {
    return {
      type: 'begin',
      slot,
      setup: this.shared!,
      scheduler: this.scheduler.init,
      logs: this.pool.logs.map((l) => l.buffer),
      baseLog: this.pool.baseLog.buffer,
      kzgSignal: this.signals[slot]!.buffer as SharedArrayBuffer,
    };
  }

  private listen(worker: Worker, slot: number): () => void {
    const onMessage = (m: FromWorker) => this.onMessage(worker, slot, m);
    const onError = (e: Error) => {
      this.lastCrash = e;
    };
    const onExit = (code: number) => {
      off();
      void this.replace(slot, 'exited', `exited (code ${code}${this.lastCrash ? `: ${this.lastCrash.message}` : ''})`);
    };
    const off = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    this.listeners[slot] = off;
    return off;
  }

  /** Whether `slot`'s worker should be making progress now (see {@link WorkerWatchdog}). */
  private shouldWork(slot: number): boolean {
    if (this.waiting[slot]! > 0 || this.replacing.has(slot) || this.finished) return false;
    const state = this.scheduler.state;
    return state === BlockState.Running || (state === BlockState.Done && slot === COLLECTOR && this.net !== undefined);
  }

  /** A worker stopped answering: it is replaced as if it had died (its thread terminated by the replacement). */
  private stalled(slot: number, quietMs: number, limitMs: number, starting: boolean): void {
    this.listeners[slot]?.();
    this.stalls++;
    const how = starting ? 'did not start' : 'stopped answering';
    void this.replace(slot, 'stalled', `${how} (no progress for ${Math.round(quietMs)} ms, limit ${limitMs} ms)`);
  }

  /**
   * A worker died or stopped answering mid-block: the old thread is terminated, what it left
   * half-done is undone in the scheduler (its execution is ready again under a new incarnation, a
   * commit it had marked is completed, its lock released), a fresh worker takes its slot and log and
   * joins the block. After `maxWorkerRestarts` the block fails instead.
   */
  private async replace(slot: number, fault: 'exited' | 'stalled', what: string): Promise<void> {
    if (this.scheduler.state === BlockState.Failed || this.finished) return;
    const max = this.opts.maxWorkerRestarts ?? 3;
    if (++this.restarts > max) {
      const why = `EVM worker ${slot} ${what} in the middle of block ${this.block.header.number}, after ${max} restart${max === 1 ? '' : 's'}`;
      return this.stop(new WorkerFailureError(slot, fault, this.restarts - 1, why));
    }
    this.replacing.add(slot);
    const fresh = await this.pool.replace(slot);
    this.replacing.delete(slot);
    // The block ended while the old thread was ending (the others finished it): the fresh worker
    // must not be told to begin it, since by now it may be serving the pool's next block.
    if (this.over) return;
    // The old thread has ended: nothing it does can undo the recovery now, nor pass for the fresh one's beats.
    this.scheduler.recoverSlot(slot, (tx) => this.entry(tx).blockGasSpent);
    this.watchdog.restarted(slot);
    this.waiting[slot] = 0;
    this.listen(fresh, slot);
    this.post(fresh, this.begin(slot));
    // A worker that dies while collecting: its successor (whose replica catches up from the logs) collects.
    if (this.net && slot === COLLECTOR) this.post(fresh, { type: 'collect' });
  }

  /** A failure outside the scheduler (a worker died): stop every worker and wake the follower. */
  private stop(e: Error): void {
    this.workerError ??= e;
    this.scheduler.fail(FailureKind.Aborted);
    this.wake?.();
  }

  private post(worker: Worker, m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.clock.time('messaging', () => worker.postMessage(m, transfer));
  }

  private onMessage(worker: Worker, slot: number, m: FromWorker): void {
    switch (m.type) {
      case 'read':
        void this.answering(worker, slot, this.serveRead(worker, m));
        break;
      case 'kzg':
        void this.answering(worker, slot, this.serveKzg(slot, m.args));
        break;
      case 'net':
        this.net?.(m.writes);
        break;
      case 'fatal':
        this.fatal ??= m;
        this.scheduler.fail(FailureKind.Aborted);
        this.wake?.();
        break;
    }
  }

  /** `slot`'s worker waits for the main thread until `served` settles. */
  private async answering(worker: Worker, slot: number, served: Promise<void>): Promise<void> {
    this.waiting[slot]!++;
    await served;
    if (this.pool.workers[slot] === worker) this.waiting[slot]!--;
  }

  private serveRead(worker: Worker, m: ReadRequest): Promise<void> {
    const p = this.clock.time('reads', (): Promise<StateValue | Uint8Array> => {
      if (m.what === 'state') return Promise.resolve(this.base.get(m.key));
      if (m.what === 'code') return this.base.code(m.address, m.codeHash);
      return withTimeout(this.source.getBlockHash(m.number), this.opts.readTimeoutMs, `blockhash ${m.number}`);
    });
    return p.then(
      (value) => {
        this.clock.time('reads', () => {
          if (m.what === 'state') this.sharedBase.publishState(m.key, value as StateValue);
          else if (m.what === 'code') this.sharedBase.publishCode(m.codeHash, value as Uint8Array);
        });
        this.post(worker, { type: 'reply', id: m.id, value });
      },
      (e: unknown) => this.post(worker, { type: 'reply-error', id: m.id, error: e instanceof Error ? e.message : String(e) }),
    );
  }

  private async serveKzg(slot: number, args: string[]): Promise<void> {
    let answer: number;
    try {
      const kzg = await loadKzgOnce();
      answer = kzg.verifyProof(args[0]!, args[1]!, args[2]!, args[3]!) ? 1 : 0;
    } catch (e) {
      answer = e instanceof Error && e.message.includes('C_KZG_BADARGS') ? 2 : 3;
    }
    const signal = this.signals[slot]!;
    Atomics.store(signal, 1, answer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }

  /** Follows the commit index until the block is done: receipts (and, before Byzantium, the target) in order. */
  private async follow(): Promise<void> {
    const s = this.scheduler;
    for (;;) {
      const seen = s.generation;
      while (this.followed < s.committed) await this.take(this.followed++);
      if (s.state === BlockState.Done && this.followed === this.n) return;
      if (s.state === BlockState.Failed) throw await this.failure();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void s.waitForChange(seen, FOLLOW_WAIT_MS).then(resolve);
      });
      // Receipts are off the critical path: take commits in batches rather than waking per change.
      if (s.state === BlockState.Running) await new Promise<void>((resolve) => setTimeout((this.wake = resolve), FOLLOW_GAP_MS));
    }
  }

  /** The committed result of transaction `i`, into the receipts (and the target, before Byzantium). */
  private async take(i: number): Promise<void> {
    const entry = this.entry(i);
    const outcome = this.clock.time('receipts', () => entry.outcome()!);
    if (this.perTxRoots) {
      const writes = this.clock.time('receipts', () => entry.writes());
      for (const [hash, code] of writes.codes) this.codes.set(hash, code);
      await this.clock.timeAsync('commit', () => applyWrites(this.opts.target, writes, this.codes));
    }
    await this.clock.timeAsync('receipts', () => this.receipts.add(this.block.transactions[i]!, outcome, this.opts.target));
  }

  private entry(i: number): TxEntryReader {
    const at = this.scheduler.location(i)!;
    return new TxEntryReader(this.pool.logs[at.slot]!.record(at.offset).bytes);
  }

  /** The error a failed block ends with. */
  private async failure(): Promise<Error> {
    const { kind, tx } = this.scheduler.failure;
    const t = this.block.transactions[tx]!;
    if (kind === FailureKind.TxRejected) return new TxError(tx, t, this.entry(tx).error() ?? 'no result');
    if (kind === FailureKind.GasLimit) return new TxError(tx, t, 'tx has a higher gas limit than the remaining gas in the block');
    if (!this.fatal && !this.workerError) await new Promise((resolve) => setTimeout(resolve, FATAL_GRACE_MS).unref());
    if (this.fatal?.sourceKey !== undefined) return new StateSourceError(this.fatal.sourceKey, firstLine(this.fatal.error));
    if (this.fatal) return new Error(`EVM worker failed: ${this.fatal.error}`);
    return this.workerError ?? new Error('EVM block aborted');
  }

  /** The block's net writes, from a worker whose replica holds every committed write. */
  private collect(): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      this.net = resolve;
      this.wake = () => reject(this.workerError ?? new Error(`EVM worker failed: ${this.fatal?.error ?? 'unknown'}`));
      // A collector being replaced is asked once its successor has begun the block (see replace).
      if (!this.replacing.has(COLLECTOR)) this.post(this.pool.workers[COLLECTOR]!, { type: 'collect' });
    });
  }

  private async finish(): Promise<RunOutcome> {
    await this.prefetching;
    if (!this.perTxRoots && this.n > 0) {
      const bytes = await this.collect();
      this.finished = true;
      const net = this.clock.time('commit', () => readWriteSet(new ByteReader(bytes)));
      await this.clock.timeAsync('commit', () => applyWrites(this.opts.target, net, new Map(net.codes), { prelude: this.prelude }));
    }
    const requests = await this.clock.timeAsync('commit', () => applyPostBlock({ block: this.block, target: this.opts.target, receipts: this.receipts.receipts }));
    const stateRoot = await this.clock.timeAsync('commit', () => this.opts.target.getStateRoot());
    const receiptsRoot = this.clock.time('receipts', () => this.receipts.receiptsRoot());
    return {
      ...requests,
      gasUsed: this.receipts.blockGas,
      logsBloom: this.receipts.logsBloom,
      receiptsRoot,
      stateRoot,
      receipts: this.receipts.receipts,
      txs: this.receipts.outcomes,
      ...this.scheduler.counters,
      workerRestarts: this.restarts,
      workerStalls: this.stalls,
      stats: { workerMs: this.workerMs(), runMs: this.runMs, main: this.clock.read(this.n) },
    };
  }

  /** The workers' summed execution time, every incarnation, from the logs' entry headers. */
  private workerMs(): number {
    let ms = 0;
    for (const log of this.pool.logs) {
      for (let at = 0, end = log.published; at < end; ) {
        const { bytes, next } = log.record(at);
        ms += new TxEntryReader(bytes).ms;
        at = next;
      }
    }
    return ms;
  }
}

/** `p`, or a rejection naming `what` after `ms` milliseconds (no limit without `ms`). */
function withTimeout<T>(p: Promise<T>, ms: number | undefined, what: string): Promise<T> {
  if (ms === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the state source within ${ms} ms (${what})`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!;
}
