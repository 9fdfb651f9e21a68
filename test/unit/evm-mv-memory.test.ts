import { describe, expect, it } from 'vitest';
import { KECCAK256_NULL as EMPTY_CODE_HASH, KECCAK256_RLP as EMPTY_ROOT } from '@ethereumjs/util';
import { MVMemory, resolve, resolveNow, type WriteSet } from '../../src/evm/mv-memory.js';
import { isLazy, satisfiesLazy } from '../../src/evm/read-set.js';
import { accountKey, clearKey, storageKey, type StateKey } from '../../src/evm/state-key.js';
import { sameValue, type AccountValue, type StateValue } from '../../src/evm/state-value.js';
import { SeededRandom } from '../helpers/random.js';

const A = 'aa'.repeat(20);
const SLOT = '00'.repeat(31) + '01';
const acct = (balance: bigint, nonce = 0n, codeHash = EMPTY_CODE_HASH): AccountValue => ({ nonce, balance, codeHash, storageRoot: EMPTY_ROOT });
const ws = (values: [StateKey, StateValue][], deltas: WriteSet['deltas'] = []): WriteSet => ({ values, deltas, codes: [] });
const base = (v: StateValue) => () => v;

describe('MVMemory', () => {
  it('a reader sees the highest write strictly below it, else the pre-state', async () => {
    const mv = new MVMemory();
    mv.record(2, ws([[accountKey(A), acct(20n)]]));
    mv.record(5, ws([[accountKey(A), acct(50n)]]));
    const at = (tx: number) => resolve(mv, accountKey(A), tx, base(acct(1n)));
    expect(((await at(0)) as AccountValue).balance).toBe(1n);
    expect(((await at(2)) as AccountValue).balance).toBe(1n);
    expect(((await at(3)) as AccountValue).balance).toBe(20n);
    expect(((await at(6)) as AccountValue).balance).toBe(50n);
  });

  it('a new incarnation replaces every write of the old one, including keys it no longer writes', async () => {
    const mv = new MVMemory();
    mv.record(1, ws([[accountKey(A), acct(7n)], [storageKey(A, SLOT), Uint8Array.of(9)]]));
    mv.record(1, ws([[accountKey(A), acct(8n)]]));
    expect(mv.keysOf(1)).toEqual([accountKey(A)]);
    expect(await resolve(mv, storageKey(A, SLOT), 4, base(Uint8Array.of(3)))).toEqual(Uint8Array.of(3));
    expect(((await resolve(mv, accountKey(A), 4, base(null))) as AccountValue).balance).toBe(8n);
  });

  it('lazy deltas stack on the latest full value or on the pre-state', async () => {
    const mv = new MVMemory();
    mv.record(1, ws([], [[accountKey(A), { balance: 5n, nonce: 0n }]]));
    mv.record(2, ws([], [[accountKey(A), { balance: -2n, nonce: 1n }]]));
    const v = (await resolve(mv, accountKey(A), 3, base(acct(100n, 4n)))) as AccountValue;
    expect([v.balance, v.nonce]).toEqual([103n, 5n]);
    mv.record(0, ws([[accountKey(A), acct(10n)]]));
    const w = (await resolve(mv, accountKey(A), 3, base(acct(100n)))) as AccountValue;
    expect(w.balance).toBe(13n);
    // A credit to a missing account creates it.
    expect(((await resolve(mv, accountKey(A), 2, base(null))) as AccountValue).balance).toBe(15n);
  });

  it('stacked lookups equal summing every version below the reader, over random incarnations', () => {
    const random = new SeededRandom(7);
    const rand = (n: number) => random.int(n);
    const keys = ['aa', 'bb', 'cc'].map((b) => accountKey(b.repeat(20)));
    for (let round = 0; round < 20; round++) {
      const mv = new MVMemory();
      // The reference: each transaction's latest writes, summed from scratch per lookup.
      const latest = new Map<number, WriteSet>();
      const expectLookup = (key: StateKey, reader: number, where: string) => {
        const delta = { balance: 0n, nonce: 0n };
        let full: { tx?: number; value?: StateValue } = {};
        for (let tx = reader - 1; tx >= -1; tx--) {
          const w = latest.get(tx);
          const value = w?.values.find(([k]) => k === key);
          if (value) {
            full = { tx, value: value[1] };
            break;
          }
          const d = w?.deltas.find(([k]) => k === key);
          delta.balance += d?.[1].balance ?? 0n;
          delta.nonce += d?.[1].nonce ?? 0n;
        }
        expect(mv.lookup(key, reader), `${where}, key ${key}, reader ${reader}`).toEqual({ ...full, delta });
      };
      const txs = 5 + rand(60);
      for (let step = 0; step < 3 * txs; step++) {
        const tx = rand(txs + 1) - 1;
        const w = ws([]);
        for (const key of keys) {
          const kind = rand(4);
          if (kind === 1) w.values.push([key, rand(5) === 0 ? null : acct(BigInt(rand(1000)), BigInt(rand(9)))]);
          if (kind >= 2) w.deltas.push([key, { balance: BigInt(rand(200) - 100), nonce: BigInt(rand(2)) }]);
        }
        mv.record(tx, w);
        latest.set(tx, w);
        for (const key of keys) for (let reader = -1; reader <= txs + 1; reader++) expectLookup(key, reader, `round ${round} step ${step}`);
      }
    }
  });

  it('a storage clear hides older slot values and the pre-state, not the clearing transaction\'s own writes', async () => {
    const mv = new MVMemory();
    mv.record(1, ws([[storageKey(A, SLOT), Uint8Array.of(1)]]));
    mv.record(3, ws([[clearKey(A), true]]));
    mv.record(5, ws([[clearKey(A), true], [storageKey(A, SLOT), Uint8Array.of(5)]]));
    const at = (tx: number) => resolve(mv, storageKey(A, SLOT), tx, base(Uint8Array.of(42)));
    expect(await at(1)).toEqual(Uint8Array.of(42));
    expect(await at(2)).toEqual(Uint8Array.of(1));
    expect(await at(4)).toEqual(new Uint8Array());
    expect(await at(6)).toEqual(Uint8Array.of(5));
  });

  it('resolveNow answers without the pre-state only where it is not needed', () => {
    const mv = new MVMemory();
    mv.record(1, ws([[accountKey(A), acct(1n)]]));
    expect(resolveNow(mv, accountKey(A), 1, () => undefined)).toBeUndefined();
    expect((resolveNow(mv, accountKey(A), 2, () => undefined) as AccountValue).balance).toBe(1n);
  });
});

describe('reads and predicates', () => {
  it('sameValue compares accounts by field and storage by bytes', () => {
    expect(sameValue(acct(1n), acct(1n))).toBe(true);
    expect(sameValue(acct(1n), acct(2n))).toBe(false);
    expect(sameValue(acct(1n, 1n), acct(1n, 2n))).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(null, acct(0n))).toBe(false);
    expect(sameValue(Uint8Array.of(1), Uint8Array.of(1))).toBe(true);
    expect(sameValue(Uint8Array.of(1), Uint8Array.of(2))).toBe(false);
  });

  it('lazy predicates: funded, funded EOA, sender terms', () => {
    const code = new Uint8Array(32).fill(1);
    expect(satisfiesLazy('funded', acct(1n))).toBe(true);
    expect(satisfiesLazy('funded', acct(0n))).toBe(false);
    expect(satisfiesLazy('funded', null)).toBe(false);
    expect(satisfiesLazy('funded', acct(0n, 0n, code))).toBe(true);
    expect(satisfiesLazy('funded-eoa', acct(0n, 0n, code))).toBe(false);
    expect(satisfiesLazy('funded-eoa', acct(3n))).toBe(true);
    const terms = { nonce: 4n, minBalance: 100n };
    expect(satisfiesLazy(terms, acct(100n, 4n))).toBe(true);
    expect(satisfiesLazy(terms, acct(99n, 4n))).toBe(false);
    expect(satisfiesLazy(terms, acct(500n, 5n))).toBe(false);
    expect(satisfiesLazy(terms, acct(500n, 4n, code))).toBe(false);
    expect(isLazy(terms)).toBe(true);
    expect(isLazy('funded')).toBe(true);
    expect(isLazy(acct(1n))).toBe(false);
    expect(isLazy(null)).toBe(false);
  });
});
