/**
 * An EVM worker thread: holds a replica of the multi-version memory and runs ethereumjs's own
 * `runTx` for the transaction incarnations the main thread hands it, against a ViewStateManager.
 */
import { parentPort } from 'node:worker_threads';
import { createBlockFromRLP, type Block } from '@ethereumjs/block';
import type { CustomCrypto } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { Address, bytesToHex, hexToBytes, type KZG } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { BaseStateCache } from './base-cache.js';
import { useAuthorities } from './forks/authority-recovery.js';
import { commonFromSpec } from './forks/common-spec.js';
import { MVMemory } from './mv-memory.js';
import type { BeginBlock, ExecTask, FromWorker, ReadQuery, ToWorker, TxOutcome } from './protocol.js';
import type { SenderTerms } from './read-set.js';
import { InMemoryStateSource, readSourceKey } from './state-source.js';
import type { StateValue } from './state-value.js';
import { ViewStateManager } from './view-state.js';

const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

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

interface BlockContext {
  block: Block;
  vm: VM;
  view: ViewStateManager;
  mv: MVMemory;
  txs: Uint8Array[];
  decoded: (TypedTransaction | undefined)[];
  senders: Uint8Array;
}

let ctx: BlockContext | undefined;
const queue: ExecTask[] = [];
let busy = false;

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

async function begin(msg: BeginBlock): Promise<void> {
  const customCrypto: CustomCrypto = msg.kzg ? { kzg: forwardedKzg(msg.kzgSignal) } : {};
  const common = commonFromSpec(msg.common, customCrypto);
  useAuthorities(msg.authorities);
  const block = createBlockFromRLP(msg.block, { common });
  const mv = new MVMemory();
  const local = msg.snapshot ? new InMemoryStateSource(msg.snapshot) : undefined;
  const base = new BaseStateCache({
    state: (key) => (local ? readSourceKey(local, key) : ask<StateValue>({ what: 'state', key })),
    code: (address, codeHash) => (local ? local.getCode(hexToBytes(`0x${address}`)) : ask<Uint8Array>({ what: 'code', address, codeHash })),
  });
  const blockchain: EVMMockBlockchainInterface = {
    async getBlock(n: number) {
      const hash = local ? await local.getBlockHash(BigInt(n)) : await ask<Uint8Array>({ what: 'blockhash', number: BigInt(n) });
      return { hash: () => hash };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
  const view = new ViewStateManager(mv, (key) => base.get(key), async (address, codeHash) => mv.codes.get(codeHash) ?? base.code(address, codeHash));
  const vm = await createVM({ common: block.common, stateManager: view, blockchain });
  const runCall = vm.evm.runCall.bind(vm.evm);
  vm.evm.runCall = async (opts) => {
    const r = await runCall(opts);
    view.markPostExecution();
    return r;
  };
  ctx = { block, vm, view, mv, txs: msg.txs, decoded: [], senders: msg.senders };
}

function transaction(c: BlockContext, i: number): TypedTransaction {
  let tx = c.decoded[i];
  if (!tx) {
    tx = createTxFromRLP(c.txs[i]!, { common: c.block.common, freeze: false }) as TypedTransaction;
    // The main thread recovered every sender in one batch: never recover again here.
    const sender = new Address(c.senders.slice(20 * i, 20 * i + 20));
    tx.getSenderAddress = () => sender;
    c.decoded[i] = tx;
  }
  return tx;
}

/**
 * What runTx requires of the sender, for a lazy sender read: its nonce, and a balance covering
 * both of runTx's checks (up-front cost at the effective gas price, and value plus gas at the
 * maximum fee). Blob transactions keep exact sender reads.
 */
function senderTerms(block: Block, tx: TypedTransaction): SenderTerms | undefined {
  if (tx.type === 3) return undefined;
  const upfront = tx.getUpfrontCost(block.header.baseFeePerGas);
  const maxCost = tx.value + ('maxFeePerGas' in tx ? tx.gasLimit * tx.maxFeePerGas : 0n);
  return { nonce: tx.nonce, minBalance: upfront > maxCost ? upfront : maxCost };
}

async function exec(task: ExecTask): Promise<void> {
  const c = ctx!;
  for (const p of task.updates) c.mv.record(p.tx, p.writes);
  const t0 = performance.now();
  const tx = transaction(c, task.tx);
  c.view.begin(task.tx, c.block.header.coinbase.bytes, tx.getSenderAddress().bytes, tx.to?.bytes, senderTerms(c.block, tx));
  let outcome: TxOutcome | undefined;
  let error: string | undefined;
  try {
    const r = await runTx(c.vm, { tx, block: c.block, skipHardForkValidation: true, blockGasUsed: 0n });
    outcome = {
      totalGasSpent: r.totalGasSpent,
      blockGasSpent: r.blockGasSpent,
      amountSpent: r.amountSpent,
      minerValue: r.minerValue ?? 0n,
      gasRefund: r.gasRefund ?? 0n,
      status: r.execResult.exceptionError ? 0 : 1,
      exceptionError: r.execResult.exceptionError?.error,
      logs: r.execResult.logs ?? [],
      bloom: r.bloom.bitvector,
      blobGasUsed: r.blobGasUsed,
      createdAddress: r.createdAddress && bytesToHex(r.createdAddress.bytes),
      returnValue: r.execResult.returnValue,
    };
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  send({
    type: 'done',
    tx: task.tx,
    incarnation: task.incarnation,
    reads: c.view.readSet(),
    writes: error ? { values: [], deltas: [], codes: [] } : c.view.writeSet(),
    outcome,
    error,
    ms: performance.now() - t0,
  });
}

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length) await exec(queue.shift()!);
  } catch (e) {
    send({ type: 'fatal', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    busy = false;
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'begin':
      begin(msg).then(
        () => send({ type: 'ready' }),
        (e: unknown) => send({ type: 'fatal', error: e instanceof Error ? e.message : String(e) }),
      );
      break;
    case 'exec':
      queue.push(msg);
      void drain();
      break;
    case 'reply':
      pending.get(msg.id)?.resolve(msg.value);
      pending.delete(msg.id);
      break;
    case 'reply-error':
      pending.get(msg.id)?.reject(new Error(msg.error));
      pending.delete(msg.id);
      break;
    case 'end':
      ctx = undefined;
      break;
  }
});
