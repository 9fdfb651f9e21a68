import type { TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';

/** A transaction the block cannot execute (bad signature, nonce, funds...), named by index and hash. */
export class TxError extends Error {
  override readonly name = 'TxError';
  readonly txHash: string;
  constructor(
    readonly txIndex: number,
    tx: TypedTransaction | string,
    readonly problem: string,
  ) {
    const hash = typeof tx === 'string' ? tx : safeHash(tx);
    super(`transaction ${txIndex} (${hash}): ${problem}`);
    this.txHash = hash;
  }
}

/** A block this executor does not handle (hardfork beyond Cancun, the DAO fork block). */
export class UnsupportedBlockError extends Error {
  override readonly name = 'UnsupportedBlockError';
}

/**
 * The block's pre-state could not be read: the state source failed (or did not answer within the
 * executor's `readTimeoutMs`). Not a fault of the block: a node should retry, not reject it.
 */
export class StateSourceError extends Error {
  override readonly name = 'StateSourceError';
  constructor(
    /** What was being read: a state key (see state-key.ts), a code hash, or `blockhash <n>`. */
    readonly key: string,
    readonly problem: string,
  ) {
    super(`reading pre-block state ${key}: ${problem}`);
  }
}

/**
 * The block's EVM workers kept failing: one exited, crashed or stopped answering (made no progress
 * within the executor's `workerStallMs`) once more than `maxWorkerRestarts` allows. Not a fault of
 * the block: a node should retry it (the target is at the pre-state), not reject it.
 */
export class WorkerFailureError extends Error {
  override readonly name = 'WorkerFailureError';
  constructor(
    /** The pool slot whose worker failed last. */
    readonly slot: number,
    /** How it failed: it exited or crashed, or it stopped answering. */
    readonly fault: 'exited' | 'stalled',
    /** Workers of the block that had failed before, each replaced. */
    readonly restarts: number,
    message: string,
  ) {
    super(message);
  }
}

/** The transaction's hash; ethereumjs refuses to hash a transaction it deems unsigned (r or s zero), so hash its bytes then. */
function safeHash(tx: TypedTransaction): string {
  try {
    return bytesToHex(tx.hash());
  } catch {
    return bytesToHex(keccak_256(tx.serialize()));
  }
}
