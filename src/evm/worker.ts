/**
 * An EVM worker thread. For one block at a time it takes tasks from the shared {@link Scheduler},
 * runs ethereumjs's own `runTx` for them against a {@link ViewStateManager} over its replica of
 * the multi-version memory, publishes each result in its shared log, and — whenever it holds the
 * commit lock — validates and commits the next transactions in order. Its replica follows every
 * worker's log. The main thread is needed only for pre-block state the worker cannot read itself.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { Block, createBlockHeaderFromRLP } from '@ethereumjs/block';
import type { Common, CustomCrypto } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { Address, hexToBytes, type KZG } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { BaseStateCache } from './base-cache.js';
import { netWrites } from './block-commit.js';
import { ByteWriter, writeWriteSet } from './codec.js';
import { useAuthorities } from './forks/authority-recovery.js';
import { commonFromSpec } from './forks/common-spec.js';
import { encodeTxEntry, TxEntryReader } from './log-entry.js';
import { MVMemory, resolve, resolveNow, type WriteSet } from './mv-memory.js';
import type { BeginBlock, BlockSetup, FromWorker, ReadQuery, ToWorker, TxOutcome } from './protocol.js';
import { toTxOutcome } from './receipts.js';
import { readHolds, type LazyRead, type ReadRecord } from './read-set.js';
import { BlockState, FailureKind, Scheduler, type ExecutionTask } from './scheduler.js';
import { SharedBaseLog } from './shared-base.js';
import { SharedLog } from './shared-log.js';
import type { StateKey } from './state-key.js';
import { InMemoryStateSource, readSourceKey } from './state-source.js';
import type { StateValue } from './state-value.js';
import { txDecodingCommon } from './tx-common.js';
import { ViewStateManager } from './view-state.js';
import { AT_BEGIN, hangIfInjected } from './worker-faults.js';

const port = parentPort!;
/** Test-only hang injection's switch (see worker-faults.ts); undefined in every real pool. */
const hangSwitch = workerData as SharedArrayBuffer | undefined;
const send = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

/** How long an idle worker sleeps before looking at the scheduler again, should a wake-up be missed. */
const IDLE_WAIT_MS = 20;

let nextId = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
/** Asks the main thread for pre-block state (the answer's type follows from the query's `what`). */
function ask<T>(query: ReadQuery): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ type: 'read', id, ...query });
  });
}

/** A pre-block read failed: the block cannot be executed (not a fault of the transaction). */
class SourceReadError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** KZG calls run on the main thread: the worker blocks on a shared flag until the answer is there. */
function forwardedKzg(signal: SharedArrayBuffer): KZG {
  const flag = new Int32Array(signal);
  const call = (args: string[]): boolean => {
    Atomics.store(flag, 0, 0);
    send({ type: 'kzg', method: 'verifyProof', args });
    Atomics.wait(flag, 0, 0);
    if (flag[1] === 2) throw new Error('C_KZG_BADARGS (forwarded)');
    return flag[1] === 1;
  };
  const unsupported = () => {
    throw new Error('only verifyProof is forwarded to the main thread');
  };
  return {
    verifyProof: (c, z, y, p) => call([c, z, y, p]),
    blobToKzgCommitment: unsupported,
    computeBlobProof: unsupported,
    verifyBlobProofBatch: unsupported,
    computeCells: unsupported,
    computeCellsAndProofs: unsupported,
    recoverCellsAndProofs: unsupported,
    verifyCellKzgProofBatch: unsupported,
  };
}

/** This worker's own executed, not yet committed results: what it checks for early invalidation. */
interface OwnResult {
  incarnation: number;
  reads: Map<StateKey, StateValue | LazyRead>;
}

/** One block in this worker. */
class WorkerBlock {
  private readonly mv = new MVMemory();
  /** Highest incarnation recorded in the replica, per transaction. */
  private readonly replicaIncarnation: Int32Array;
  private readonly cursors: number[];
  private readonly own = new Map<number, OwnResult>();
  private readonly readers = new Map<StateKey, Set<number>>();
  private readonly writer = new ByteWriter(1 << 16);
  private readonly decoded: (TypedTransaction | undefined)[];
  /** Transactions below this are committed and forgotten (see forgetCommitted). */
  private forgotten = 0;
  private readonly base: BaseStateCache;
  private readonly sharedBase: SharedBaseLog;
  private readonly view: ViewStateManager;
  private sourceFailure: SourceReadError | undefined;

  private constructor(
    private readonly slot: number,
    private readonly setup: BlockSetup,
    private readonly block: Block,
    private readonly sched: Scheduler,
    private readonly logs: SharedLog[],
    baseLog: SharedLog,
    private readonly local: InMemoryStateSource | undefined,
  ) {
    this.replicaIncarnation = new Int32Array(sched.size).fill(-1);
    this.cursors = logs.map(() => 0);
    this.decoded = new Array(sched.size);
    this.sharedBase = new SharedBaseLog(baseLog);
    this.base = new BaseStateCache({
      state: (key) => (local ? readSourceKey(local, key) : this.remote(key, () => ask<StateValue>({ what: 'state', key }), (c) => c.peek(key))),
      code: (address, codeHash) =>
        local ? local.getCode(hexToBytes(`0x${address}`)) : this.remote(codeHash, () => ask<Uint8Array>({ what: 'code', address, codeHash }), (c) => c.peekCode(codeHash)),
    });
    this.view = new ViewStateManager(this.mv, (key) => this.base.get(key), async (address, codeHash) => this.mv.codes.get(codeHash) ?? this.base.code(address, codeHash));
    this.mv.record(-1, setup.prelude);
  }

  static async start(msg: BeginBlock): Promise<WorkerBlock> {
    const setup = deserialize(new Uint8Array(msg.setup).slice()) as BlockSetup;
    const customCrypto: CustomCrypto = setup.kzg ? { kzg: forwardedKzg(msg.kzgSignal) } : {};
    const common = commonFromSpec(setup.common, customCrypto);
    useAuthorities(setup.authorities);
    const block = new Block(createBlockHeaderFromRLP(setup.header, { common }), [], [], undefined, { common });
    const local = setup.snapshot ? new InMemoryStateSource(setup.snapshot) : undefined;
    const w = new WorkerBlock(msg.slot, setup, block, Scheduler.attach(msg.scheduler), msg.logs.map(SharedLog.attach), SharedLog.attach(msg.baseLog), local);
    await w.createVM();
    return w;
  }

  private vm: VM | undefined;
  /** What transactions are decoded with: the block's Common once the VM has merged its parameters in, as runBlock's transactions see it. */
  private txCommon: Common | undefined;

  private async createVM(): Promise<void> {
    const blockHashes = this.local;
    const blockchain: EVMMockBlockchainInterface = {
      async getBlock(n: number) {
        const hash = blockHashes ? await blockHashes.getBlockHash(BigInt(n)) : await ask<Uint8Array>({ what: 'blockhash', number: BigInt(n) });
        return { hash: () => hash };
      },
      async putBlock() {},
      shallowCopy() {
        return this;
      },
    };
    const vm = await createVM({ common: this.block.common, stateManager: this.view, blockchain });
    const runCall = vm.evm.runCall.bind(vm.evm);
    vm.evm.runCall = async (opts) => {
      const r = await runCall(opts);
      this.view.markPostExecution();
      return r;
    };
    this.vm = vm;
    this.txCommon = txDecodingCommon(this.block.common);
  }

  /** A pre-block read from the main thread, unless another worker's fetch already put it in the shared log. */
  private async remote<T>(what: string, fetch: () => Promise<T>, known: (c: BaseStateCache) => T | undefined): Promise<T> {
    this.sharedBase.sync(this.base);
    const have = known(this.base);
    if (have !== undefined) return have;
    try {
      return await fetch();
    } catch (e) {
      this.sourceFailure ??= new SourceReadError(what, e instanceof Error ? e.message : String(e));
      throw this.sourceFailure;
    }
  }

  /** Runs tasks until the block is over, beating (see Scheduler.beat) at every turn. */
  async run(): Promise<void> {
    const s = this.sched;
    while (s.state === BlockState.Running) {
      s.beat(this.slot);
      const seen = s.generation;
      this.catchUp();
      this.forgetCommitted();
      if (await this.commitLoop()) continue;
      const task = s.nextTask(this.slot);
      if (task) {
        await this.execute(task);
        continue;
      }
      s.waitForWork(seen, IDLE_WAIT_MS);
    }
  }

  /**
   * Drops what this worker holds for transactions committed since the last call, by any worker: its
   * own results (whose readers-sets entries then go at their next visit) and the decoded
   * transactions. Kept, those of the other workers' commits made every write of a key read by all
   * (the fee recipient) walk a set of the whole block, and their garbage survived young collections.
   */
  private forgetCommitted(): void {
    for (const committed = this.sched.committed; this.forgotten < committed; this.forgotten++) {
      this.own.delete(this.forgotten);
      this.decoded[this.forgotten] = undefined;
    }
  }

  private transaction(i: number): TypedTransaction {
    let tx = this.decoded[i];
    if (!tx) {
      tx = createTxFromRLP(this.setup.txs[i]!, { common: this.txCommon!, freeze: false }) as TypedTransaction;
      // The main thread recovered every sender in one batch: never recover again here.
      const sender = new Address(this.setup.senders.slice(20 * i, 20 * i + 20));
      tx.getSenderAddress = () => sender;
      this.decoded[i] = tx;
    }
    return tx;
  }

  private async execute(task: ExecutionTask): Promise<void> {
    const t0 = performance.now();
    hangIfInjected(hangSwitch, task.tx);
    const tx = this.transaction(task.tx);
    // The transaction at the commit point speculates on nothing: its sender is read exactly, so a
    // nonce or balance runTx refuses is refused (a lazy read serves the nonce the transaction
    // requires, and would have it re-run forever).
    this.view.begin(task.tx, this.block, tx, task.tx === this.sched.committed);
    let outcome: TxOutcome | undefined;
    let error: string | undefined;
    try {
      const r = await runTx(this.vm!, { tx, block: this.block, skipHardForkValidation: true, blockGasUsed: 0n });
      outcome = toTxOutcome(r);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    // ethereumjs may swallow a failed read inside the EVM: whatever ran after it is not a result.
    if (this.sourceFailure) throw this.sourceFailure;
    const reads = this.view.readSet();
    const writes: WriteSet = error ? { values: [], deltas: [], codes: [] } : this.view.writeSet();
    const ownLog = this.logs[this.slot]!;
    const upToDate = this.cursors[this.slot] === ownLog.published;
    const offset = ownLog.append(encodeTxEntry(this.writer, { ...task, ms: performance.now() - t0, writes, reads, outcome, error }));
    if (upToDate) this.cursors[this.slot] = ownLog.published;
    this.record(task.tx, task.incarnation, writes);
    this.own.set(task.tx, { incarnation: task.incarnation, reads: new Map(reads) });
    for (const [key] of reads) {
      let set = this.readers.get(key);
      if (!set) this.readers.set(key, (set = new Set()));
      set.add(task.tx);
    }
    this.sched.finishExecution(this.slot, task, offset);
  }

  /** Applies what every log published since the last call to the replica. */
  private catchUp(): void {
    for (let s = 0; s < this.logs.length; s++) {
      const log = this.logs[s]!;
      for (const end = log.published; this.cursors[s]! < end; ) {
        const { bytes, next } = log.record(this.cursors[s]!);
        const entry = new TxEntryReader(bytes);
        if (entry.incarnation > this.replicaIncarnation[entry.tx]!) this.record(entry.tx, entry.incarnation, entry.writes());
        this.cursors[s] = next;
      }
    }
  }

  /**
   * Records an incarnation's writes in the replica, and voids this worker's own pending results
   * above it that read a value it changed (they would fail validation at commit anyway: running
   * them again now keeps the pipeline full).
   */
  private record(tx: number, incarnation: number, writes: WriteSet): void {
    if (incarnation <= this.replicaIncarnation[tx]!) return;
    this.replicaIncarnation[tx] = incarnation;
    const changed = new Set<StateKey>(this.mv.keysOf(tx));
    this.mv.record(tx, writes);
    for (const [k] of writes.values) changed.add(k);
    for (const [k] of writes.deltas) changed.add(k);
    for (const key of changed) {
      const set = this.readers.get(key);
      if (!set) continue;
      for (const j of set) {
        const mine = this.own.get(j);
        if (j <= tx || !mine || !this.sched.isPending(j, mine.incarnation)) {
          if (!mine) set.delete(j);
          continue;
        }
        const seen = mine.reads.get(key);
        if (seen === undefined) continue;
        const now = resolveNow(this.mv, key, j, (k) => this.base.peek(k));
        if (now !== undefined && readHolds(seen, now)) continue;
        if (this.sched.abort(j, mine.incarnation)) this.own.delete(j);
      }
    }
  }

  /**
   * Validates and commits transactions in order while this worker can take the commit lock and
   * their latest results hold. True when something changed. After a round that committed, the
   * candidate is looked at again once the lock is released: a worker that finished it while the
   * lock was held could not commit it.
   */
  private async commitLoop(): Promise<boolean> {
    const s = this.sched;
    let progressed = false;
    for (;;) {
      if (s.state !== BlockState.Running || !s.commitCandidate() || !s.lockCommit(this.slot)) return progressed;
      let round: boolean;
      try {
        round = await this.commitHeld();
      } finally {
        s.unlockCommit(this.slot);
      }
      progressed ||= round;
      if (!round) return progressed;
    }
  }

  /**
   * The lock holder's round: every lower transaction is committed, so the replica below the
   * candidate is final once caught up, and validation is exact.
   */
  private async commitHeld(): Promise<boolean> {
    const s = this.sched;
    let progressed = false;
    for (let c = s.commitCandidate(); c && s.state === BlockState.Running; c = s.commitCandidate()) {
      const at = s.location(c.tx);
      if (!at || at.incarnation !== c.incarnation) break;
      this.catchUp();
      const entry = new TxEntryReader(this.logs[at.slot]!.record(at.offset).bytes);
      const mine = this.own.get(c.tx);
      const reads: Iterable<ReadRecord> = mine?.incarnation === c.incarnation ? mine.reads : entry.reads();
      if (!(await this.validate(c.tx, reads))) {
        s.abort(c.tx, c.incarnation);
        this.own.delete(c.tx);
        return true;
      }
      if (!entry.executed) {
        s.fail(FailureKind.TxRejected, c.tx);
        return true;
      }
      if (this.block.header.gasLimit < this.transaction(c.tx).gasLimit + BigInt(s.gasThrough(c.tx - 1))) {
        s.fail(FailureKind.GasLimit, c.tx);
        return true;
      }
      if (!s.commit(c, entry.blockGasSpent)) continue;
      s.beat(this.slot);
      this.own.delete(c.tx);
      progressed = true;
    }
    return progressed;
  }

  private async validate(tx: number, reads: Iterable<ReadRecord>): Promise<boolean> {
    for (const [key, seen] of reads) {
      if (!readHolds(seen, await resolve(this.mv, key, tx, (k) => this.base.get(k)))) return false;
    }
    return true;
  }

  /** The block's net writes, encoded (asked once the block is done). */
  async net(): Promise<Uint8Array> {
    this.catchUp();
    const net = await netWrites(this.mv, this.sched.size, (k) => this.base.get(k));
    const w = new ByteWriter(1 << 16);
    writeWriteSet(w, net);
    return w.view8().slice();
  }
}

let current: { block: Promise<WorkerBlock>; run: Promise<void> } | undefined;

function fatal(e: unknown, sched?: Scheduler): void {
  sched?.fail(FailureKind.Aborted);
  send({
    type: 'fatal',
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    ...(e instanceof SourceReadError && { sourceKey: e.key }),
  });
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'begin': {
      hangIfInjected(hangSwitch, AT_BEGIN);
      const block = WorkerBlock.start(msg);
      const run = block.then(
        (b) => b.run(),
        (e: unknown) => fatal(e),
      );
      current = { block, run: run.catch((e: unknown) => fatal(e, Scheduler.attach(msg.scheduler))) };
      break;
    }
    case 'reply':
      pending.get(msg.id)?.resolve(msg.value);
      pending.delete(msg.id);
      break;
    case 'reply-error':
      pending.get(msg.id)?.reject(new Error(msg.error));
      pending.delete(msg.id);
      break;
    case 'collect': {
      const c = current;
      void (async () => {
        try {
          await c!.run;
          const writes = await (await c!.block).net();
          send({ type: 'net', writes }, [writes.buffer as ArrayBuffer]);
        } catch (e) {
          fatal(e);
        }
      })();
      break;
    }
    case 'end':
      current = undefined;
      break;
  }
});

