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
  /** Of a delta version: the full value it stacks on (undefined: the pre-state)… */
  under?: Version;
  /** …and the deltas summed from there through this one. */
  sum?: AccountDelta;
}

const NO_DELTA: AccountDelta = Object.freeze({ balance: 0n, nonce: 0n });

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
 *
 * Every delta version carries the sum of the deltas below it down to the last full value, so a
 * lookup is a binary search: the fee recipient takes a delta from every transaction of a block,
 * and each transaction reads it to pay its fee (summing the chain on every read was quadratic).
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
      const at = firstFrom(list, tx);
      if (list[at]?.tx === tx) {
        list.splice(at, 1);
        restack(list, at);
      }
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
    const at = firstFrom(list, version.tx + 1);
    list.splice(at, 0, version);
    restack(list, at);
  }

  /** The value of `key` as transaction `tx` must see it (writes of transactions below `tx`); the delta returned is shared, not to be changed. */
  lookup(key: StateKey, tx: number): Lookup {
    const list = this.versions.get(key);
    const v = list?.[firstFrom(list, tx) - 1];
    if (!v) return { delta: NO_DELTA };
    if (v.delta === undefined) return { tx: v.tx, value: v.value, delta: NO_DELTA };
    return v.under ? { tx: v.under.tx, value: v.under.value, delta: v.sum! } : { delta: v.sum! };
  }

  /** Keys written by `tx`'s latest incarnation. */
  keysOf(tx: number): readonly StateKey[] {
    return this.keysByTx.get(tx) ?? [];
  }
}

/** The first index of `list` (ordered by transaction) whose transaction is `tx` or above. */
function firstFrom(list: Version[], tx: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.tx < tx) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Recomputes the stacked sums from index `from` up to the next full value (versions are mostly appended: usually one). */
function restack(list: Version[], from: number): void {
  const prev = list[from - 1];
  let under = prev && (prev.delta === undefined ? prev : prev.under);
  let sum = prev?.delta === undefined ? NO_DELTA : prev.sum!;
  for (let i = from; i < list.length; i++) {
    const v = list[i]!;
    if (v.delta === undefined) {
      if (i > from) return;
      under = v;
      sum = NO_DELTA;
      continue;
    }
    // Sums are never changed in place: a first delta is its own sum (most keys have one version).
    sum = sum === NO_DELTA ? v.delta : { balance: sum.balance + v.delta.balance, nonce: sum.nonce + v.delta.nonce };
    v.under = under;
    v.sum = sum;
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
