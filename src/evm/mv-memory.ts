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

export const accountKey = (addrHex: string): StateKey => 'a' + addrHex;
export const storageKey = (addrHex: string, slotHex: string): StateKey => 's' + addrHex + slotHex;
export const clearKey = (addrHex: string): StateKey => 'g' + addrHex;

/**
 * The writes of one transaction incarnation. `values`: final value per key. `deltas`: balance
 * increments applied lazily to an account that the transaction never read (the fee recipient), so
 * that transactions commute on it. `codes`: code hash (hex) → code for code the transaction deployed.
 */
export interface WriteSet {
  values: [StateKey, StateValue][];
  deltas: [StateKey, bigint][];
  codes: [string, Uint8Array][];
}

interface Version {
  tx: number;
  value?: StateValue;
  delta?: bigint;
}

/** The latest full value written below a transaction, plus the lazy deltas stacked on it. */
export interface Lookup {
  /** Writer of the full value; undefined when the value comes from the pre-block state. */
  tx?: number;
  value?: StateValue;
  /** Sum of balance deltas written between the full value (or the pre-state) and the reader. */
  delta: bigint;
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
    let delta = 0n;
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const v = list[i]!;
        if (v.tx >= tx) continue;
        if (v.delta !== undefined) delta += v.delta;
        else return { tx: v.tx, value: v.value, delta };
      }
    }
    return { delta };
  }

  /** Keys written by `tx`'s latest incarnation. */
  keysOf(tx: number): readonly StateKey[] {
    return this.keysByTx.get(tx) ?? [];
  }
}

/** Applies a lazy balance delta to an account value (a missing account is created by a credit). */
export function withDelta(value: AccountValue | null, delta: bigint, emptyRoot: Uint8Array, emptyCode: Uint8Array): AccountValue | null {
  if (delta === 0n) return value;
  const base = value ?? { nonce: 0n, balance: 0n, codeHash: emptyCode, storageRoot: emptyRoot };
  return { ...base, balance: base.balance + delta };
}

/** Reads a key of the pre-block state. */
export type BaseReader = (key: StateKey) => StateValue | Promise<StateValue>;

/**
 * The value transaction `tx` sees for `key`: the highest write below it, lazy deltas applied, a
 * storage clear (create, self-destruct) hiding older slot values, else the pre-block state.
 */
export async function resolve(mv: MVMemory, key: StateKey, tx: number, base: BaseReader): Promise<StateValue> {
  if (key[0] === 's') {
    const cleared = mv.lookup(clearKey(key.slice(1, 41)), tx);
    const slot = mv.lookup(key, tx);
    if (cleared.tx !== undefined && (slot.tx === undefined || slot.tx < cleared.tx)) return new Uint8Array();
    return slot.tx !== undefined ? slot.value! : base(key);
  }
  const found = mv.lookup(key, tx);
  const value = found.tx !== undefined ? found.value! : await base(key);
  if (key[0] !== 'a' || found.delta === 0n) return value;
  return withDelta(value as AccountValue | null, found.delta, EMPTY_ROOT, EMPTY_CODE_HASH);
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
export type LazyRead = 'funded' | 'funded-eoa';

/** Whether a value satisfies a lazy read's predicate. */
export function satisfiesLazy(kind: LazyRead, v: StateValue): boolean {
  if (v === null || v === true || v instanceof Uint8Array) return false;
  const noCode = equalsBytes(v.codeHash, EMPTY_CODE_HASH);
  const nonEmpty = v.nonce > 0n || v.balance > 0n || !noCode;
  return kind === 'funded' ? nonEmpty : nonEmpty && noCode;
}
