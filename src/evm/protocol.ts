import type { Log } from '@ethereumjs/evm';
import type { RecoveredAuthorities } from './forks/authorities.js';
import type { CommonSpec } from './forks/common-spec.js';
import type { WriteSet } from './mv-memory.js';
import type { SchedulerInit } from './scheduler.js';
import type { StateKey } from './state-key.js';
import type { SourceSnapshot } from './state-source.js';
import type { StateValue } from './state-value.js';

/**
 * Messages between the executor (main thread) and its EVM workers: two discriminated unions,
 * {@link ToWorker} and {@link FromWorker}, on `type`. Per block there are a handful; per
 * transaction none: tasks come from the shared {@link Scheduler}, results go to shared logs.
 * Only reads of pre-block state the workers cannot make themselves (a source without a snapshot)
 * and KZG calls travel as messages.
 */

/** What every worker needs of one block, serialised once (v8) into shared memory. */
export interface BlockSetup {
  /**
   * `block.header.serialize()`: runTx needs the block's header only, and a whole block made the
   * main thread encode every transaction twice and each worker decode them all (tens of
   * milliseconds per thousand) before its first task; transactions are decoded from `txs` as run.
   */
  header: Uint8Array;
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
  /** The block's writes before its first transaction (index -1 of the memory). */
  prelude: WriteSet;
  snapshot?: SourceSnapshot;
}

/** Starts a worker on a block: it runs tasks until the scheduler says the block is over. */
export interface BeginBlock {
  type: 'begin';
  /** This worker's slot in the pool: its log is `logs[slot]`. */
  slot: number;
  /** A {@link BlockSetup}, v8-serialised. */
  setup: SharedArrayBuffer;
  scheduler: SchedulerInit;
  /** Every slot's result log (see shared-log.ts, log-entry.ts). */
  logs: SharedArrayBuffer[];
  /** Pre-block state the main thread fetched (see shared-base.ts). */
  baseLog: SharedArrayBuffer;
  /** Shared Int32Array(2) used to wait for forwarded KZG answers. */
  kzgSignal: SharedArrayBuffer;
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

/** The block is done: send the block's net writes (see {@link NetWrites}). */
export interface Collect {
  type: 'collect';
}

/** The block is over: the worker drops its context. */
export interface EndBlock {
  type: 'end';
}

export type ToWorker = BeginBlock | Reply | ReplyError | Collect | EndBlock;

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

/** The block's net writes: every key any transaction wrote, at its final value (an encoded WriteSet, transferred). */
export interface NetWrites {
  type: 'net';
  writes: Uint8Array;
}

/** The worker cannot go on with the block; `sourceKey` when reading pre-block state failed. */
export interface Fatal {
  type: 'fatal';
  error: string;
  sourceKey?: string;
}

export type FromWorker = ReadRequest | KzgRequest | NetWrites | Fatal;
