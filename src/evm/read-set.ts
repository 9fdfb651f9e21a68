import { equalsBytes, KECCAK256_NULL } from '@ethereumjs/util';
import type { StateKey } from './state-key.js';
import { isAccount, sameValue, type StateValue } from './state-value.js';

/**
 * A lazy read: the transaction used the account only to credit it, so what it needs from the
 * value is a predicate, not the value. `funded`: exists and is non-empty (the fee recipient —
 * crediting it cannot make it empty, and no code of it runs). `funded-eoa`: additionally has no
 * code (the recipient of a plain value transfer — nothing executes there, so its balance is read
 * by nobody).
 */
export type LazyRead = 'funded' | 'funded-eoa' | SenderTerms;

/**
 * The sender of a plain value transfer: runTx needs its nonce to equal the transaction's and its
 * balance to cover the transaction's cost, and nothing else about it (no code runs that could
 * look at it), so the sender is debited by a delta and same-sender transactions pipeline.
 */
export interface SenderTerms {
  nonce: bigint;
  minBalance: bigint;
}

/** A read recorded for validation: the key and the value an incarnation saw, or the predicate a lazy read needs. */
export type ReadRecord = [StateKey, StateValue | LazyRead];

/** Whether a recorded read is a lazy predicate rather than a value. */
export function isLazy(seen: StateValue | LazyRead): seen is LazyRead {
  return typeof seen === 'string' || (typeof seen === 'object' && seen !== null && !(seen instanceof Uint8Array) && 'minBalance' in seen);
}

/** Whether a value satisfies a lazy read's predicate. */
export function satisfiesLazy(kind: LazyRead, v: StateValue): boolean {
  if (!isAccount(v)) return false;
  const noCode = equalsBytes(v.codeHash, KECCAK256_NULL);
  if (typeof kind === 'object') return noCode && v.nonce === kind.nonce && v.balance >= kind.minBalance;
  const nonEmpty = v.nonce > 0n || v.balance > 0n || !noCode;
  return kind === 'funded' ? nonEmpty : nonEmpty && noCode;
}

/** A recorded read still holds: the same value, or for a lazy read, its predicate. */
export function readHolds(seen: StateValue | LazyRead, now: StateValue): boolean {
  return isLazy(seen) ? satisfiesLazy(seen, now) : sameValue(seen, now);
}
