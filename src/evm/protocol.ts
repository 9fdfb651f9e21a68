import type { Log } from '@ethereumjs/evm';
import type { RecoveredAuthorities } from './forks/authorities.js';
import type { CommonSpec } from './forks/common-spec.js';
import type { WriteSet } from './mv-memory.js';
import type { ReadRecord } from './read-set.js';
import type { StateKey } from './state-key.js';
import type { SourceSnapshot } from './state-source.js';
import type { StateValue } from './state-value.js';

/**
 * Messages between the executor (main thread) and its EVM workers: two discriminated unions,
 * {@link ToWorker} and {@link FromWorker}, on `type`. Everything is structured-clonable.
 */

/** Prepares a worker for one block. */
export interface BeginBlock {
  type: 'begin';
  /** `block.serialize()`; transactions are taken from `txs` instead. */
  block: Uint8Array;
  /** The block's chain, hardfork and extra EIPs: the worker's Common carries the same parameters. */
  common: CommonSpec;
  /** Each transaction's `serialize()`. */
  txs: Uint8Array[];
  /** 20 bytes per transaction: the recovered sender. */
  senders: Uint8Array;
  /** EIP-7702 authorities recovered in the block's batch: runTx's recoveries are answered from them. */
  authorities: RecoveredAuthorities;
  /** Whether the block needs a KZG (Cancun on); calls are forwarded to the main thread. */
  kzg: boolean;
  /** Shared Int32Array(2) used to wait for forwarded KZG answers. */
  kzgSignal: SharedArrayBuffer;
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

/** Answers a worker's {@link ReadRequest}. */
export interface Reply {
  type: 'reply';
  id: number;
  value: StateValue | Uint8Array;
}

/** A {@link ReadRequest} the main thread could not answer. */
export interface ReplyError {
  type: 'reply-error';
  id: number;
  error: string;
}

/** The block is over: the worker drops its context. */
export interface EndBlock {
  type: 'end';
}

export type ToWorker = BeginBlock | ExecTask | Reply | ReplyError | EndBlock;

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

/** The worker is ready for the block's tasks. */
export interface Ready {
  type: 'ready';
}

/** One incarnation ran. */
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

/** A read of pre-block state the worker cannot answer itself. */
export type ReadRequest = { type: 'read'; id: number } & ReadQuery;

/** What a {@link ReadRequest} asks for. */
export type ReadQuery =
  | { what: 'state'; key: StateKey }
  | { what: 'code'; address: string; codeHash: string }
  | { what: 'blockhash'; number: bigint };

/** A KZG call forwarded to the main thread (the worker waits on `kzgSignal`). */
export interface KzgRequest {
  type: 'kzg';
  method: 'verifyProof';
  args: string[];
}

/** The worker cannot go on with the block. */
export interface Fatal {
  type: 'fatal';
  error: string;
}

export type FromWorker = Ready | ExecDone | ReadRequest | KzgRequest | Fatal;
