import { equalsBytes } from '@ethereumjs/util';

/**
 * Keys of the multi-version memory, as strings so they can index Maps and cross thread boundaries:
 * `a<addr>` an account, `s<addr><slot>` a storage slot, `g<addr>` "storage cleared" (create or
 * self-destruct). Addresses and slots are lower-case hex without 0x (40 and 64 digits).
 */
export type StateKey = string;

/** An account as the executor versions it; null means "does not exist". */
export interface AccountValue {
  nonce: bigint;
  balance: bigint;
  codeHash: Uint8Array;
  storageRoot: Uint8Array;
}

/** What a key holds: an account (or null), a storage value (unpadded bytes), or a clear marker. */
export type StateValue = AccountValue | null | Uint8Array | true;

/** Unprefixed lower-case hex: what state keys and the code store are keyed by. */
export const keyHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const accountKey = (addrHex: string): StateKey => 'a' + addrHex;
export const storageKey = (addrHex: string, slotHex: string): StateKey => 's' + addrHex + slotHex;
export const clearKey = (addrHex: string): StateKey => 'g' + addrHex;

/** A lazy change to an account: balance and nonce increments (either may be negative or zero). */
export interface AccountDelta {
  balance: bigint;
  nonce: bigint;
}

/**
 * The writes of one transaction incarnation. `values`: final value per key. `deltas`: account
 * changes applied lazily, for accounts the transaction read only through a predicate (see
 * {@link LazyRead}), so that transactions commute on them. `codes`: code hash (hex) → code the
 * transaction deployed.
 */
export interface WriteSet {
  values: [StateKey, StateValue][];
  deltas: [StateKey, AccountDelta][];
  codes: [string, Uint8Array][];
}

interface Version {
  tx: number;
  value?: StateValue;
  delta?: AccountDelta;
}

/** The latest full value written below a transaction, plus the lazy deltas stacked on it. */
export interface Lookup {
  /** Writer of the full value; undefined when the value comes from the pre-block state. */
  tx?: number;
  value?: StateValue;
  /** Sum of the deltas written between the full value (or the pre-state) and the reader. */
  delta: AccountDelta;
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

/**
 * Multi-version memory (Block-STM): for every key, the value each transaction's latest incarnation
 * wrote, so a reader at index i sees the write of the highest transaction below i. The main thread
 * holds the authoritative copy; each worker holds a replica fed with the same write sets.
 * Transaction -1 holds the block's system writes made before the first transaction (EIP-4788).
 */
export class MVMemory {
  private readonly versions = new Map<StateKey, Version[]>();
  private readonly keysByTx = new Map<number, StateKey[]>();
  /** Code deployed by any incarnation, by hash (content-addressed, so never stale). */
  readonly codes = new Map<string, Uint8Array>();

  /** Replaces transaction `tx`'s writes with those of its newest incarnation. */
  record(tx: number, writes: WriteSet): void {
    for (const key of this.keysByTx.get(tx) ?? []) {
      const list = this.versions.get(key)!;
      const at = list.findIndex((v) => v.tx === tx);
      if (at >= 0) list.splice(at, 1);
    }
    const keys: StateKey[] = [];
    for (const [key, value] of writes.values) {
      this.insert(key, { tx, value });
      keys.push(key);
    }
    for (const [key, delta] of writes.deltas) {
      this.insert(key, { tx, delta });
      keys.push(key);
    }
    for (const [hash, code] of writes.codes) this.codes.set(hash, code);
    this.keysByTx.set(tx, keys);
  }

  private insert(key: StateKey, version: Version): void {
    let list = this.versions.get(key);
    if (!list) this.versions.set(key, (list = []));
    let i = list.length;
    while (i > 0 && list[i - 1]!.tx > version.tx) i--;
    list.splice(i, 0, version);
  }

  /** The value of `key` as transaction `tx` must see it (writes of transactions below `tx`). */
  lookup(key: StateKey, tx: number): Lookup {
    const list = this.versions.get(key);
    const delta: AccountDelta = { balance: 0n, nonce: 0n };
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const v = list[i]!;
        if (v.tx >= tx) continue;
        if (v.delta === undefined) return { tx: v.tx, value: v.value, delta };
        delta.balance += v.delta.balance;
        delta.nonce += v.delta.nonce;
      }
    }
    return { delta };
  }

  /** Keys written by `tx`'s latest incarnation. */
  keysOf(tx: number): readonly StateKey[] {
    return this.keysByTx.get(tx) ?? [];
  }
}

/** Applies a lazy delta to an account value (a missing account is created by a credit). */
export function withDelta(value: AccountValue | null, delta: AccountDelta): AccountValue | null {
  if (delta.balance === 0n && delta.nonce === 0n) return value;
  const base = value ?? { nonce: 0n, balance: 0n, codeHash: EMPTY_CODE_HASH, storageRoot: EMPTY_ROOT };
  return { ...base, balance: base.balance + delta.balance, nonce: base.nonce + delta.nonce };
}

/** Reads a key of the pre-block state. */
export type BaseReader = (key: StateKey) => StateValue | Promise<StateValue>;

/**
 * The value transaction `tx` sees for `key`: the highest write below it, lazy deltas applied, a
 * storage clear (create, self-destruct) hiding older slot values, else the pre-block state.
 */
export async function resolve(mv: MVMemory, key: StateKey, tx: number, base: BaseReader): Promise<StateValue> {
  const r = locate(mv, key, tx);
  return 'value' in r ? r.value : finish(key, await base(key), r.delta);
}

/** {@link resolve} for callers that cannot wait: undefined when the pre-block value is not at hand. */
export function resolveNow(mv: MVMemory, key: StateKey, tx: number, base: (key: StateKey) => StateValue | undefined): StateValue | undefined {
  const r = locate(mv, key, tx);
  if ('value' in r) return r.value;
  const b = base(key);
  return b === undefined ? undefined : finish(key, b, r.delta);
}

/** The value from the memory alone, or the delta to apply to the pre-block value. */
function locate(mv: MVMemory, key: StateKey, tx: number): { value: StateValue } | { delta: AccountDelta } {
  if (key[0] === 's') {
    const cleared = mv.lookup(clearKey(key.slice(1, 41)), tx);
    const slot = mv.lookup(key, tx);
    if (cleared.tx !== undefined && (slot.tx === undefined || slot.tx < cleared.tx)) return { value: new Uint8Array() };
    return slot.tx !== undefined ? { value: slot.value! } : { delta: slot.delta };
  }
  const found = mv.lookup(key, tx);
  return found.tx !== undefined ? { value: finish(key, found.value!, found.delta) } : { delta: found.delta };
}

function finish(key: StateKey, value: StateValue, delta: AccountDelta): StateValue {
  return key[0] === 'a' ? withDelta(value as AccountValue | null, delta) : value;
}

/** keccak256(rlp('')) — the root of an empty trie. */
export const EMPTY_ROOT = Uint8Array.from(Buffer.from('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421', 'hex'));
/** keccak256('') — the code hash of an account without code. */
export const EMPTY_CODE_HASH = Uint8Array.from(Buffer.from('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470', 'hex'));

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

/** Whether a recorded read is a lazy predicate rather than a value. */
export function isLazy(seen: StateValue | LazyRead): seen is LazyRead {
  return typeof seen === 'string' || (typeof seen === 'object' && seen !== null && !(seen instanceof Uint8Array) && 'minBalance' in seen);
}

/** Whether a value satisfies a lazy read's predicate. */
export function satisfiesLazy(kind: LazyRead, v: StateValue): boolean {
  if (v === null || v === true || v instanceof Uint8Array) return false;
  const noCode = equalsBytes(v.codeHash, EMPTY_CODE_HASH);
  if (typeof kind === 'object') return noCode && v.nonce === kind.nonce && v.balance >= kind.minBalance;
  const nonEmpty = v.nonce > 0n || v.balance > 0n || !noCode;
  return kind === 'funded' ? nonEmpty : nonEmpty && noCode;
}
