import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { orderedTrieRoot } from '../../src/evm/ordered-trie.js';
import { SeededRandom } from '../helpers/random.js';

async function mptRoot(entries: [Uint8Array, Uint8Array][]): Promise<string> {
  const trie = new MerklePatriciaTrie();
  for (const [k, v] of entries) await trie.put(k, v);
  return bytesToHex(trie.root());
}

describe('orderedTrieRoot equals MerklePatriciaTrie', () => {
  it('empty', async () => {
    expect(bytesToHex(orderedTrieRoot([]))).toBe(await mptRoot([]));
  });

  it('receipt-style keys RLP(i), 1 to 300 entries, values short (inline nodes) and long', async () => {
    const rand = new SeededRandom(7);
    for (const n of [1, 2, 3, 16, 17, 127, 128, 129, 300]) {
      for (const valueSize of [1, 5, 40, 300]) {
        const entries: [Uint8Array, Uint8Array][] = Array.from({ length: n }, (_, i) => [RLP.encode(i), rand.bytes(1 + rand.int(valueSize))]);
        expect(bytesToHex(orderedTrieRoot(entries)), `${n} entries of up to ${valueSize} bytes`).toBe(await mptRoot(entries));
      }
    }
  });

  it('random keys of varied lengths, some keys prefixes of others', async () => {
    const rand = new SeededRandom(11);
    for (let round = 0; round < 40; round++) {
      const map = new Map<string, [Uint8Array, Uint8Array]>();
      const n = 1 + rand.int(60);
      for (let i = 0; i < n; i++) {
        const k = rand.bytes(1 + rand.int(4));
        map.set(bytesToHex(k), [k, rand.bytes(1 + rand.int(50))]);
        if (rand.int(5) === 0) {
          const prefix = k.subarray(0, Math.max(1, k.length - 1));
          map.set(bytesToHex(prefix), [prefix, rand.bytes(3)]);
        }
      }
      const entries = [...map.values()];
      expect(bytesToHex(orderedTrieRoot(entries)), `round ${round}`).toBe(await mptRoot(entries));
    }
  });
});
