import type { Block } from '@ethereumjs/block';
import { Hardfork, type StateManagerInterface } from '@ethereumjs/common';
import { hexToBytes } from '@ethereumjs/util';
import type { Worker } from 'node:worker_threads';
import { BaseStateCache } from './base-cache.js';
import { applyNet, applyWrites } from './block-commit.js';
import { applyPostBlock, applyPrelude } from './block-steps.js';
import { loadKzgOnce } from './chain.js';
import { TxError } from './errors.js';
import type { RecoveredAuthorities } from './forks/authorities.js';
import { commonSpec } from './forks/common-spec.js';
import { executionRequests } from './forks/requests.js';
import { assertSupported } from './forks/supported.js';
import { MVMemory, resolve, resolveNow } from './mv-memory.js';
import type { BlockOutcome } from './outcome.js';
import type { ExecDone, FromWorker, Publication, ReadRequest, ToWorker, TxOutcome } from './protocol.js';
import { readHolds, type LazyRead } from './read-set.js';
import { ReceiptAccumulator } from './receipts.js';
import { Scheduler } from './scheduler.js';
import { recoverSignatures, senderHex, type SenderRecovery } from './senders.js';
import type { StateKey } from './state-key.js';
import { readSourceKey, type StateSource } from './state-source.js';
import type { StateValue } from './state-value.js';
import { WorkerPool } from './worker-pool.js';

export { FALLBACK_SPAN, FALLBACK_WINDOW } from './scheduler.js';

/** Options of {@link executeBlock}. */
export interface ExecuteBlockOptions {
  /** The state manager the post-state is written into (it must hold the pre-state; it may also be the source's). */
  target: StateManagerInterface;
  /** Batched sender recovery; without one, ethereumjs recovers senders one by one on the main thread. */
  accelerator?: SenderRecovery;
  /** Worker threads for a pool created for this call (default: one per core); ignored with `pool`. */
  workers?: number;
  /** A pool to reuse across blocks (the caller closes it). */
  pool?: WorkerPool;
  /**
   * Fall back to in-order execution (one transaction at a time, no speculation) for the next
   * {@link FALLBACK_SPAN} transactions whenever the last {@link FALLBACK_WINDOW} commits needed more
   * than this fraction of re-executions; default 0.5. `Infinity` never falls back.
   */
  fallbackRatio?: number;
  /** How far ahead of the commit point transactions may run speculatively (default 64). */
  window?: number;
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
  workers: number;
  /**
   * Milliseconds: sender recovery, execution and commit, whole call; and, within execution, time
   * the main thread spent committing into the target and validating, and the workers' summed
   * execution time.
   */
  timings: { sendersMs: number; executeMs: number; totalMs: number; commitMs: number; validateMs: number; workerMs: number };
}

/**
 * Executes a block with Block-STM on worker threads and writes the post-state into `opts.target`.
 * Transactions run optimistically in block order on the workers, each against the multi-version
 * memory; results are validated (every value read must still be what the memory holds below the
 * transaction) and committed strictly in order; a failed validation re-executes the transaction.
 * The outcome — state, receipts, gas, bloom — is that of sequential `runBlock`. On any error the
 * target is reverted to the pre-state.
 */
export async function executeBlock(block: Block, source: StateSource, opts: ExecuteBlockOptions): Promise<ExecuteBlockResult> {
  assertSupported(block);
  const t0 = performance.now();
  const { senders, authorities } = await recoverSignatures(block, opts.accelerator);
  opts.expectedSenders?.forEach((want, i) => {
    const got = senderHex(senders, i);
    if (want !== undefined && want.toLowerCase() !== got) {
      throw new TxError(i, block.transactions[i]!, `bad signature: it recovers sender ${got}, the block says ${want.toLowerCase()}`);
    }
  });
  const t1 = performance.now();
  const pool = opts.pool ?? WorkerPool.create(opts.workers);
  pool.acquire();
  await opts.target.checkpoint();
  try {
    const run = new BlockRun(block, source, opts, pool, senders, authorities);
    const outcome = await run.execute();
    await opts.target.commit();
    const t2 = performance.now();
    const { stats, ...rest } = outcome;
    return { ...rest, workers: pool.size, timings: { sendersMs: t1 - t0, executeMs: t2 - t1, totalMs: t2 - t0, ...stats } };
  } catch (e) {
    await opts.target.revert();
    if (opts.pool) await pool.recycle();
    throw e;
  } finally {
    pool.release();
    if (!opts.pool) await pool.close();
  }
}

type RunOutcome = Omit<ExecuteBlockResult, 'workers' | 'timings'> & { stats: { commitMs: number; validateMs: number; workerMs: number } };

interface WorkerSlot {
  worker: Worker;
  signal: Int32Array;
  /** Publications already sent to this worker. */
  cursor: number;
  idle: boolean;
}

/** One block on the pool: hands the scheduler's tasks to workers, validates and commits their results in order. */
class BlockRun {
  private readonly n: number;
  private readonly mv = new MVMemory();
  private readonly publications: Publication[] = [];
  private readonly scheduler: Scheduler;
  private readonly base: BaseStateCache;
  private readonly receipts: ReceiptAccumulator;
  private readonly results: (ExecDone | undefined)[];
  private readonly readValues: (Map<StateKey, StateValue | LazyRead> | undefined)[];
  private readonly readers = new Map<StateKey, Set<number>>();
  private readonly slots: WorkerSlot[];
  private committing = false;
  private commitMs = 0;
  private validateMs = 0;
  private workerMs = 0;
  private finished!: (r: RunOutcome) => void;
  private failed!: (e: unknown) => void;
  private readonly perTxRoots: boolean;

  constructor(
    private readonly block: Block,
    private readonly source: StateSource,
    private readonly opts: ExecuteBlockOptions,
    pool: WorkerPool,
    private readonly senders: Uint8Array,
    private readonly authorities: RecoveredAuthorities,
  ) {
    this.n = block.transactions.length;
    this.scheduler = new Scheduler(this.n, { window: opts.window ?? 64, fallbackRatio: opts.fallbackRatio ?? 0.5 });
    this.base = new BaseStateCache({
      state: (key) => readSourceKey(source, key),
      code: (address, codeHash) => (this.mv.codes.has(codeHash) ? Promise.resolve(this.mv.codes.get(codeHash)!) : source.getCode(hexToBytes(`0x${address}`))),
    });
    this.receipts = new ReceiptAccumulator(block);
    this.results = new Array(this.n).fill(undefined);
    this.readValues = new Array(this.n).fill(undefined);
    this.perTxRoots = !block.common.gteHardfork(Hardfork.Byzantium);
    this.slots = pool.workers.map((worker) => ({
      worker,
      signal: new Int32Array(new SharedArrayBuffer(8)),
      cursor: 0,
      idle: false,
    }));
  }

  async execute(): Promise<RunOutcome> {
    const prelude = await applyPrelude({ block: this.block, target: this.opts.target });
    this.mv.record(-1, prelude);
    this.publications.push({ tx: -1, writes: prelude });
    if (this.n === 0) return this.finish();
    const done = new Promise<RunOutcome>((resolve, reject) => {
      this.finished = resolve;
      this.failed = reject;
    });
    const kzg = this.block.common.isActivatedEIP(4844);
    const snapshot = this.source.snapshot?.();
    const txs = this.block.transactions.map((tx) => tx.serialize());
    const handlers = this.slots.map((slot) => {
      const onMessage = (m: FromWorker) => this.onMessage(slot, m);
      const onError = (e: Error) => this.failed(e);
      slot.worker.on('message', onMessage);
      slot.worker.on('error', onError);
      return () => {
        slot.worker.off('message', onMessage);
        slot.worker.off('error', onError);
      };
    });
    try {
      for (const slot of this.slots) {
        this.post(slot, {
          type: 'begin',
          block: this.block.serialize(),
          common: commonSpec(this.block.common),
          txs,
          senders: this.senders,
          authorities: this.authorities,
          kzg,
          kzgSignal: slot.signal.buffer as SharedArrayBuffer,
          snapshot,
        });
      }
      return await done;
    } finally {
      for (const slot of this.slots) this.post(slot, { type: 'end' });
      handlers.forEach((off) => off());
    }
  }

  private post(slot: WorkerSlot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  private onMessage(slot: WorkerSlot, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        slot.idle = true;
        this.dispatch();
        break;
      case 'done':
        slot.idle = true;
        this.onDone(m);
        this.dispatch();
        void this.commitLoop();
        break;
      case 'read':
        this.serveRead(slot, m);
        break;
      case 'kzg':
        void this.serveKzg(slot, m.args);
        break;
      case 'fatal':
        this.failed(new Error(`EVM worker failed: ${m.error}`));
        break;
    }
  }

  /** Hands the scheduler's next tasks to idle workers, with the write sets they have not seen yet. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.idle) continue;
      const task = this.scheduler.nextTask();
      if (!task) return;
      slot.idle = false;
      this.post(slot, { type: 'exec', ...task, updates: this.publications.slice(slot.cursor) });
      slot.cursor = this.publications.length;
    }
  }

  private onDone(m: ExecDone): void {
    const i = m.tx;
    this.scheduler.finishExecution(i);
    this.workerMs += m.ms;
    const changed = new Set<StateKey>(this.mv.keysOf(i));
    this.mv.record(i, m.writes);
    this.publications.push({ tx: i, writes: m.writes });
    for (const [k] of m.writes.values) changed.add(k);
    for (const [k] of m.writes.deltas) changed.add(k);
    this.results[i] = m;
    const reads = new Map(m.reads);
    this.readValues[i] = reads;
    for (const key of reads.keys()) {
      let set = this.readers.get(key);
      if (!set) this.readers.set(key, (set = new Set()));
      set.add(i);
    }
    // Transactions above i that already ran on values i has just changed must run again.
    for (const key of changed) {
      for (const j of this.readers.get(key) ?? []) {
        if (j <= i || !this.scheduler.isPending(j)) continue;
        const seen = this.readValues[j]!.get(key);
        if (seen === undefined) continue;
        const now = resolveNow(this.mv, key, j, (k) => this.base.peek(k));
        if (now !== undefined && readHolds(seen, now)) continue;
        this.results[j] = undefined;
        this.scheduler.abort(j);
      }
    }
  }

  private serveRead(slot: WorkerSlot, m: ReadRequest): void {
    let p: Promise<StateValue | Uint8Array>;
    if (m.what === 'state') p = Promise.resolve(this.base.get(m.key));
    else if (m.what === 'code') p = this.base.code(m.address, m.codeHash);
    else p = this.source.getBlockHash(m.number);
    p.then(
      (value) => this.post(slot, { type: 'reply', id: m.id, value }),
      (e: unknown) => this.post(slot, { type: 'reply-error', id: m.id, error: e instanceof Error ? e.message : String(e) }),
    );
  }

  private async serveKzg(slot: WorkerSlot, args: string[]): Promise<void> {
    let answer: number;
    try {
      const kzg = await loadKzgOnce();
      answer = kzg.verifyProof(args[0]!, args[1]!, args[2]!, args[3]!) ? 1 : 0;
    } catch (e) {
      answer = e instanceof Error && e.message.includes('C_KZG_BADARGS') ? 2 : 3;
    }
    Atomics.store(slot.signal, 1, answer);
    Atomics.store(slot.signal, 0, 1);
    Atomics.notify(slot.signal, 0);
  }

  /** Validates and commits transactions in order while their latest results hold. */
  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.scheduler.commitReady) {
        const i = this.scheduler.committed;
        const r = this.results[i]!;
        if (!(await this.validate(i, r))) {
          this.results[i] = undefined;
          this.scheduler.abort(i);
          this.dispatch();
          break;
        }
        const c0 = performance.now();
        await this.commit(i, r);
        this.commitMs += performance.now() - c0;
        this.scheduler.commit();
        this.dispatch();
      }
      if (this.scheduler.done) this.finished(await this.finish());
    } catch (e) {
      this.failed(e);
    } finally {
      this.committing = false;
    }
  }

  /** Every lower transaction is committed, so the memory below `i` is final: this check is exact. */
  private async validate(i: number, r: ExecDone): Promise<boolean> {
    const v0 = performance.now();
    try {
      for (const [key, seen] of r.reads) {
        if (!readHolds(seen, await resolve(this.mv, key, i, (k) => this.base.get(k)))) return false;
      }
      return true;
    } finally {
      this.validateMs += performance.now() - v0;
    }
  }

  private async commit(i: number, r: ExecDone): Promise<void> {
    const tx = this.block.transactions[i]!;
    if (r.error !== undefined || !r.outcome) throw new TxError(i, tx, r.error ?? 'no result');
    if (this.block.header.gasLimit < tx.gasLimit + this.receipts.blockGas) {
      throw new TxError(i, tx, 'tx has a higher gas limit than the remaining gas in the block');
    }
    // Before Byzantium each receipt carries the state root after its transaction: apply in order.
    // From Byzantium on, the block's net writes are applied once at the end (finish()).
    if (this.perTxRoots) await applyWrites(this.opts.target, r.writes, this.mv.codes);
    await this.receipts.add(tx, r.outcome, this.opts.target);
  }

  private async finish(): Promise<RunOutcome> {
    if (!this.perTxRoots) {
      const c0 = performance.now();
      await applyNet(this.opts.target, this.mv, this.n, (k) => this.base.get(k));
      this.commitMs += performance.now() - c0;
    }
    await applyPostBlock({ block: this.block, target: this.opts.target, receipts: this.receipts.receipts });
    const requests = await executionRequests(this.block, this.opts.target, this.receipts.receipts);
    const s = this.scheduler;
    return {
      ...requests,
      gasUsed: this.receipts.blockGas,
      logsBloom: this.receipts.logsBloom,
      receiptsRoot: this.receipts.receiptsRoot,
      stateRoot: await this.opts.target.getStateRoot(),
      receipts: this.receipts.receipts,
      txs: this.receipts.outcomes,
      executions: s.executions,
      reExecutions: s.reExecutions,
      inOrderTxs: s.inOrderTxs,
      fallbacks: s.fallbacks,
      stats: { commitMs: this.commitMs, validateMs: this.validateMs, workerMs: this.workerMs },
    };
  }
}
