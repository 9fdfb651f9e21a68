import type { Log } from '@ethereumjs/evm';
import type { StateKey, WriteSet } from './mv-memory.js';
import type { SourceSnapshot } from './state-source.js';
import type { ReadRecord } from './view-state.js';

/** Messages between the executor (main thread) and its EVM workers. Everything is structured-clonable. */

/** Prepares a worker for one block. */
export interface BeginBlock {
  type: 'begin';
  /** `block.serialize()`; transactions are taken from `txs` instead. */
  block: Uint8Array;
  hardfork: string;
  /** Each transaction's `serialize()`. */
  txs: Uint8Array[];
  /** 20 bytes per transaction: the recovered sender. */
  senders: Uint8Array;
  /** Whether the block needs a KZG (Cancun on); calls are forwarded to the main thread. */
  kzg: boolean;
  /** Shared Int32Array(2) used to wait for forwarded KZG answers. */
  kzgSignal?: SharedArrayBuffer;
  snapshot?: SourceSnapshot;
}

/** Executes one incarnation of a transaction after applying the write sets published since the last task. */
export interface ExecTask {
  type: 'exec';
  tx: number;
  incarnation: number;
  updates: Publication[];
}

/** A transaction incarnation's write set, as the main thread publishes it to replicas. */
export interface Publication {
  tx: number;
  writes: WriteSet;
}

/** Replies to a worker's request for pre-block state. */
export interface Reply {
  type: 'reply';
  id: number;
  value?: unknown;
  error?: string;
}

export type ToWorker = BeginBlock | ExecTask | Reply | { type: 'end' };

/** What one transaction produced, everything the receipt and the block totals need. */
export interface TxOutcome {
  totalGasSpent: bigint;
  blockGasSpent: bigint;
  amountSpent: bigint;
  minerValue: bigint;
  gasRefund: bigint;
  /** 1 success, 0 failure (reverted, out of gas, invalid opcode...). */
  status: 0 | 1;
  exceptionError?: string;
  logs: Log[];
  bloom: Uint8Array;
  blobGasUsed?: bigint;
  createdAddress?: string;
  returnValue: Uint8Array;
}

export interface ExecDone {
  type: 'done';
  tx: number;
  incarnation: number;
  reads: ReadRecord[];
  writes: WriteSet;
  /** Present when the transaction executed; absent with `error` when ethereumjs rejected it. */
  outcome?: TxOutcome;
  error?: string;
  ms: number;
}

export interface ReadRequest {
  type: 'read';
  id: number;
  what: 'state' | 'code' | 'blockhash';
  key?: StateKey;
  address?: string;
  codeHash?: string;
  number?: bigint;
}

export interface KzgRequest {
  type: 'kzg';
  method: 'verifyProof';
  args: string[];
}

export type FromWorker = ExecDone | ReadRequest | KzgRequest | { type: 'ready' } | { type: 'fatal'; error: string };

