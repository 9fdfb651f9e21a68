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

/** The transaction's hash; ethereumjs refuses to hash a transaction it deems unsigned (r or s zero), so hash its bytes then. */
function safeHash(tx: TypedTransaction): string {
  try {
    return bytesToHex(tx.hash());
  } catch {
    return bytesToHex(keccak_256(tx.serialize()));
  }
}
