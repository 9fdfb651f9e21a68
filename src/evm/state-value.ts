import { equalsBytes, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';

/** An account as the executor versions it; null means "does not exist". */
export interface AccountValue {
  nonce: bigint;
  balance: bigint;
  codeHash: Uint8Array;
  storageRoot: Uint8Array;
}

/** What a key holds: an account (or null), a storage value (unpadded bytes), or a clear marker. */
export type StateValue = AccountValue | null | Uint8Array | true;

/** A lazy change to an account: balance and nonce increments (either may be negative or zero). */
export interface AccountDelta {
  balance: bigint;
  nonce: bigint;
}

/**
 * A storage value in the form keys hold it: leading zero bytes stripped (zero is empty). A copy,
 * never a view: values cross threads, and a view would carry its whole buffer along.
 */
export function unpad(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.slice(i);
}

/** Whether a value is an account (not null, a storage value or a clear marker). */
export function isAccount(v: StateValue | undefined): v is AccountValue {
  return v !== null && v !== undefined && v !== true && !(v instanceof Uint8Array);
}

/** Whether a value is a missing account or one without code. */
export function hasNoCode(v: StateValue): boolean {
  return !isAccount(v) || equalsBytes(v.codeHash, KECCAK256_NULL);
}

/** Values are equal: same account fields, same bytes, or both null / both clear markers. */
export function sameValue(a: StateValue | undefined, b: StateValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined || a === true || b === true) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && equalsBytes(a, b);
  }
  return (
    a.nonce === b.nonce && a.balance === b.balance && equalsBytes(a.codeHash, b.codeHash) && equalsBytes(a.storageRoot, b.storageRoot)
  );
}

/** Applies a lazy delta to an account value (a missing account is created by a credit). */
export function withDelta(value: AccountValue | null, delta: AccountDelta): AccountValue | null {
  if (delta.balance === 0n && delta.nonce === 0n) return value;
  const base = value ?? { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL, storageRoot: KECCAK256_RLP };
  return { ...base, balance: base.balance + delta.balance, nonce: base.nonce + delta.nonce };
}
