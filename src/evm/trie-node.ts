import type { NestedUint8Array } from '@ethereumjs/rlp';

/**
 * Merkle-Patricia trie nodes in raw form, as RLP decodes them: `[path, value]` for a leaf,
 * `[path, child]` for an extension (the path hex-prefix encoded), 17 items for a branch (16
 * children, then a value). The builders of whole tries ({@link orderedTrieRoot}) and of batched
 * changes ({@link updateTrie}) share them: plain arrays cost far less to make, encode and drop than
 * @ethereumjs/mpt's node objects.
 */
export type RawNode = NestedUint8Array;

/** A child as its parent holds it: the hash of its encoding, or the node itself when that encoding is under 32 bytes. */
export type NodeRef = Uint8Array | RawNode;

/** A key's path (nibbles) and its value. */
export interface TrieItem {
  path: Uint8Array;
  value: Uint8Array;
}

const EMPTY = new Uint8Array();

/**
 * The node holding items[from, to) — sorted by path, paths distinct — which all share their first
 * `depth` nibbles; `ref` turns each child made on the way into what its parent holds.
 */
export function buildNode(items: readonly TrieItem[], from: number, to: number, depth: number, ref: (child: RawNode) => NodeRef): RawNode {
  const first = items[from]!;
  if (to - from === 1) return [hexPrefix(first.path.subarray(depth), true), first.value];
  const last = items[to - 1]!;
  // Sorted: the prefix shared by the first and the last is shared by all.
  let shared = 0;
  while (depth + shared < first.path.length && depth + shared < last.path.length && first.path[depth + shared] === last.path[depth + shared]) shared++;
  if (shared > 0) return [hexPrefix(first.path.subarray(depth, depth + shared), false), ref(buildNode(items, from, to, depth + shared, ref))];
  const branch: NodeRef[] = new Array<NodeRef>(17).fill(EMPTY);
  let i = from;
  if (first.path.length === depth) {
    branch[16] = first.value;
    i++;
  }
  while (i < to) {
    const nibble = items[i]!.path[depth]!;
    let j = i + 1;
    while (j < to && items[j]!.path[depth] === nibble) j++;
    branch[nibble] = ref(buildNode(items, i, j, depth + 1, ref));
    i = j;
  }
  return branch;
}

/** Hex-prefix encoding of a path (Yellow Paper appendix C). */
export function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length % 2;
  const out = new Uint8Array(1 + (path.length >> 1));
  out[0] = ((leaf ? 2 : 0) + odd) << 4;
  let p = 0;
  if (odd) out[0]! |= path[p++]!;
  for (let o = 1; p < path.length; o++, p += 2) out[o] = (path[p]! << 4) | path[p + 1]!;
  return out;
}

/** The path a hex-prefix encoding holds, and whether it is a leaf's. */
export function readHexPrefix(encoded: Uint8Array): { path: Uint8Array; leaf: boolean } {
  const flag = encoded[0]! >> 4;
  const odd = flag & 1;
  const path = new Uint8Array(2 * (encoded.length - 1) + odd);
  let p = 0;
  if (odd) path[p++] = encoded[0]! & 15;
  for (let i = 1; i < encoded.length; i++) {
    path[p++] = encoded[i]! >> 4;
    path[p++] = encoded[i]! & 15;
  }
  return { path, leaf: flag >= 2 };
}

/** A node's RLP encoding, written into one buffer (nodes nest only small inline children). */
export function encodeNode(node: RawNode): Uint8Array {
  const out = new Uint8Array(encodedLength(node));
  write(node, out, 0);
  return out;
}

function encodedLength(item: Uint8Array | RawNode): number {
  if (item instanceof Uint8Array) return item.length === 1 && item[0]! < 0x80 ? 1 : headerLength(item.length) + item.length;
  const payload = payloadLength(item);
  return headerLength(payload) + payload;
}

function payloadLength(list: RawNode): number {
  let n = 0;
  for (const item of list) n += encodedLength(item);
  return n;
}

function headerLength(length: number): number {
  return length < 56 ? 1 : 1 + byteLength(length);
}

function byteLength(n: number): number {
  let bytes = 0;
  for (; n > 0; n = Math.floor(n / 256)) bytes++;
  return bytes;
}

/** Writes `item` at `at`; the offset after it. */
function write(item: Uint8Array | RawNode, out: Uint8Array, at: number): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) {
      out[at] = item[0]!;
      return at + 1;
    }
    at = writeHeader(0x80, item.length, out, at);
    out.set(item, at);
    return at + item.length;
  }
  at = writeHeader(0xc0, payloadLength(item), out, at);
  for (const child of item) at = write(child, out, at);
  return at;
}

function writeHeader(base: number, length: number, out: Uint8Array, at: number): number {
  if (length < 56) {
    out[at] = base + length;
    return at + 1;
  }
  const bytes = byteLength(length);
  out[at++] = base + 55 + bytes;
  for (let i = bytes - 1; i >= 0; i--) out[at++] = Math.floor(length / 256 ** i) % 256;
  return at;
}
