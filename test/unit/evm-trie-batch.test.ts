import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, type MapDB } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { canBatch, updateTrie } from '../../src/evm/trie-batch.js';

/** A small seeded generator, so that a failure names the case that reproduces it. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Entry = [Uint8Array, Uint8Array | null];

function bytes(next: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

/** Two tries over the same contents: one written key by key (the reference), one in batches. */
async function twins(opts: Parameters<typeof createMPT>[0] = {}): Promise<[MerklePatriciaTrie, MerklePatriciaTrie]> {
  return [await createMPT({ useKeyHashing: true, ...opts }), await createMPT({ useKeyHashing: true, ...opts })];
}

async function oneByOne(trie: MerklePatriciaTrie, entries: Entry[]): Promise<void> {
  for (const [k, v] of entries) {
    if (v === null || v.length === 0) await trie.del(k);
    else await trie.put(k, v);
  }
}

/** How many nodes in the trie's database hold a child inline (a nested list, not a hash). */
function inlineChildren(trie: MerklePatriciaTrie): number {
  let n = 0;
  for (const node of (trie.database().db as MapDB<string, Uint8Array>)._database.values()) {
    const items = RLP.decode(node) as unknown[];
    if (items.some((item) => Array.isArray(item))) n++;
  }
  return n;
}

/** Every key's value as the reference holds it, read back from the batched trie (its nodes are all in its database). */
async function expectSameContents(batched: MerklePatriciaTrie, reference: MerklePatriciaTrie, keys: Uint8Array[]): Promise<void> {
  expect(bytesToHex(batched.root())).toBe(bytesToHex(reference.root()));
  for (const k of keys) expect(await batched.get(k)).toEqual(await reference.get(k));
}

describe('updateTrie (many keys into a trie, each touched node hashed once)', () => {
  it('gives put/del one by one\'s root and contents over random tries and random mixes of inserts, updates and deletions', async () => {
    const cases = [0, 1, 2, 17, 300, 2000];
    for (const [c, size] of cases.entries()) {
      const next = rng(1000 + c);
      const [reference, batched] = await twins();
      const keys = Array.from({ length: size + 200 }, () => bytes(next, 1 + Math.floor(next() * 40)));
      const initial: Entry[] = keys.slice(0, size).map((k) => [k, bytes(next, 1 + Math.floor(next() * 90))]);
      await oneByOne(reference, initial);
      await updateTrie(batched, initial);
      await expectSameContents(batched, reference, keys);
      for (let round = 0; round < 3; round++) {
        const changes: Entry[] = Array.from({ length: Math.floor(next() * (size + 50)) }, () => {
          const k = keys[Math.floor(next() * keys.length)]!;
          const r = next();
          // Deletions (of present and absent keys) as null and as an empty value; updates; the same key twice (the last wins).
          return [k, r < 0.25 ? null : r < 0.3 ? new Uint8Array() : bytes(next, 1 + Math.floor(next() * 90))];
        });
        await oneByOne(reference, changes);
        await updateTrie(batched, changes);
        await expectSameContents(batched, reference, keys);
      }
    }
  });

  it('empties a trie and fills an empty one', async () => {
    const next = rng(7);
    const [reference, batched] = await twins();
    const keys = Array.from({ length: 50 }, () => bytes(next, 20));
    const initial: Entry[] = keys.map((k) => [k, bytes(next, 40)]);
    await oneByOne(reference, initial);
    await updateTrie(batched, initial);
    await expectSameContents(batched, reference, keys);
    await oneByOne(reference, keys.map((k) => [k, null]));
    await updateTrie(batched, keys.map((k, i) => [k, i % 2 ? null : new Uint8Array()]));
    expect(bytesToHex(reference.root())).toBe(bytesToHex(reference.EMPTY_TRIE_ROOT));
    expect(bytesToHex(batched.root())).toBe(bytesToHex(batched.EMPTY_TRIE_ROOT));
    await oneByOne(reference, [[keys[0]!, Uint8Array.of(1)]]);
    await updateTrie(batched, [[keys[0]!, Uint8Array.of(1)]]);
    await expectSameContents(batched, reference, keys);
  });

  it('handles nodes under 32 bytes held inline in their parent (keys whose hashes share long prefixes, one-byte values)', async () => {
    // A key hash of our choosing for the test's 20-byte keys (keccak for everything else, the nodes
    // included): hashes that differ only in their last nibbles put tiny leaves and branches deep
    // down, where they are inlined — rare in mainnet tries, and the path a batch must get right.
    const designed = new Map<string, Uint8Array>();
    const next = rng(99);
    const keys: Uint8Array[] = [];
    for (let group = 0; group < 12; group++) {
      const stem = bytes(next, 32);
      for (let i = 0; i < 1 + Math.floor(next() * 6); i++) {
        const hashed = stem.slice();
        hashed[31] = Math.floor(next() * 256);
        if (next() < 0.5) hashed[30] = Math.floor(next() * 256);
        const key = bytes(next, 20);
        designed.set(bytesToHex(key), hashed);
        keys.push(key);
      }
    }
    const useKeyHashingFunction = (x: Uint8Array) => designed.get(bytesToHex(x)) ?? keccak_256(x);
    const [reference, batched] = await twins({ useKeyHashingFunction });
    const initial: Entry[] = keys.map((k) => [k, Uint8Array.of(1 + Math.floor(next() * 200))]);
    await oneByOne(reference, initial);
    await updateTrie(batched, initial);
    await expectSameContents(batched, reference, keys);
    expect(inlineChildren(batched), 'the designed keys made no inline node').toBeGreaterThan(0);
    for (let round = 0; round < 20; round++) {
      const changes: Entry[] = keys.filter(() => next() < 0.3).map((k) => [k, next() < 0.4 ? null : Uint8Array.of(1 + Math.floor(next() * 200))]);
      await oneByOne(reference, changes);
      await updateTrie(batched, changes);
      await expectSameContents(batched, reference, keys);
    }
  });

  it('writes inside the trie\'s checkpoint (a revert restores the old root and contents) and under a storage trie\'s key prefix', async () => {
    const next = rng(3);
    const [reference, batched] = await twins();
    const keys = Array.from({ length: 100 }, () => bytes(next, 32));
    const initial: Entry[] = keys.map((k) => [k, bytes(next, 33)]);
    await oneByOne(reference, initial);
    await updateTrie(batched, initial);
    const before = bytesToHex(batched.root());
    batched.checkpoint();
    await updateTrie(batched, keys.slice(0, 50).map((k) => [k, next() < 0.5 ? null : bytes(next, 33)]));
    expect(bytesToHex(batched.root())).not.toBe(before);
    await batched.revert();
    await expectSameContents(batched, reference, keys);

    const prefix = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    const prefixedRef = reference.shallowCopy(false, { keyPrefix: prefix });
    const prefixed = batched.shallowCopy(false, { keyPrefix: prefix });
    prefixedRef.root(prefixedRef.EMPTY_TRIE_ROOT);
    prefixed.root(prefixed.EMPTY_TRIE_ROOT);
    await oneByOne(prefixedRef, initial);
    await updateTrie(prefixed, initial);
    await expectSameContents(prefixed, prefixedRef, keys);
    // Every node the batch stored is one the reference stored, under the same (prefixed) key.
    const refDb = (prefixedRef.database().db as MapDB<string, Uint8Array>)._database;
    for (const [k, v] of (prefixed.database().db as MapDB<string, Uint8Array>)._database) expect(refDb.get(k)).toEqual(v);
  });

  it('refuses tries it cannot batch: keys not hashed, node pruning', async () => {
    expect(canBatch(await createMPT({}))).toBe(false);
    expect(canBatch(await createMPT({ useKeyHashing: true, useNodePruning: true }))).toBe(false);
    await expect(updateTrie(await createMPT({}), [[Uint8Array.of(1), Uint8Array.of(1)]])).rejects.toThrow(/hashed keys/);
  });
});
