import { keccak_256 } from '@noble/hashes/sha3.js';
import { compareNibbles, toNibbles } from './nibbles.js';
import { buildNode, encodeNode, type NodeRef, type RawNode } from './trie-node.js';

/** RLP of the empty string: the empty trie's root node. */
const EMPTY_ROOT_NODE = Uint8Array.of(0x80);

/**
 * The root of a Merkle-Patricia trie holding `entries` (key → value, keys distinct), computed in
 * one pass over the sorted keys instead of one trie insertion at a time: what a block's receipts
 * and transactions tries need, where every key is known at once. Equal to inserting every entry
 * into @ethereumjs/mpt's MerklePatriciaTrie and taking its root (the tests check it), at a small
 * fraction of the cost: each node is encoded and hashed once.
 */
export function orderedTrieRoot(entries: readonly (readonly [Uint8Array, Uint8Array])[], hash: (b: Uint8Array) => Uint8Array = keccak_256): Uint8Array {
  if (entries.length === 0) return hash(EMPTY_ROOT_NODE);
  const items = entries.map(([k, v]) => ({ path: toNibbles(k), value: v }));
  items.sort((a, b) => compareNibbles(a.path, b.path));
  const ref = (child: RawNode): NodeRef => {
    const encoded = encodeNode(child);
    return encoded.length < 32 ? child : hash(encoded);
  };
  return hash(encodeNode(buildNode(items, 0, items.length, 0, ref)));
}
