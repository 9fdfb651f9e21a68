import { clearKey, isAccountKey, isStorageKey, keyAddress, type AccountKey, type StateKey } from './state-key.js';
import { withDelta, type AccountDelta, type AccountValue, type StateValue } from './state-value.js';

/**
 * The writes of one transaction incarnation. `values`: final value per key. `deltas`: account
 * changes applied lazily, for accounts the transaction read only through a predicate (see
 * `LazyRead`), so that transactions commute on them. `codes`: code hash (hex) → code the
 * transaction deployed.
 */
export interface WriteSet {
  values: [StateKey, StateValue][];
  deltas: [AccountKey, AccountDelta][];
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
  if (isStorageKey(key)) {
    const cleared = mv.lookup(clearKey(keyAddress(key)), tx);
    const slot = mv.lookup(key, tx);
    if (cleared.tx !== undefined && (slot.tx === undefined || slot.tx < cleared.tx)) return { value: new Uint8Array() };
    return slot.tx !== undefined ? { value: slot.value! } : { delta: slot.delta };
  }
  const found = mv.lookup(key, tx);
  return found.tx !== undefined ? { value: finish(key, found.value!, found.delta) } : { delta: found.delta };
}

function finish(key: StateKey, value: StateValue, delta: AccountDelta): StateValue {
  return isAccountKey(key) ? withDelta(value as AccountValue | null, delta) : value;
}
