import { BranchMPTNode, ExtensionMPTNode, LeafMPTNode, type MerklePatriciaTrie, type MPTNode, type NodeReferenceOrRawMPTNode } from '@ethereumjs/mpt';
import type { BatchDBOp } from '@ethereumjs/util';
import { bytesToHex, equalsBytes } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { syncKeccak256 } from '../backends/cpu/sync-keccak.js';
import { compareNibbles, toNibbles } from './nibbles.js';

/**
 * A child as a node holds it: a node's hash, or a node under 32 bytes inlined whole (raw).
 */
type Ref = NodeReferenceOrRawMPTNode;
/** A branch's child while the batch rebuilds it: a reference it keeps, or a node it made. */
type Child = Ref | MPTNode | null;

interface Op {
  nibbles: number[];
  /** Null deletes the key. */
  value: Uint8Array | null;
}

/** The members of @ethereumjs/mpt's trie a batch needs beyond its public ones (protected in mpt 10). */
interface TrieInternals {
  _opts: { useKeyHashing?: boolean; useNodePruning?: boolean; useKeyHashingFunction?: (bytes: Uint8Array) => Uint8Array };
  hash(bytes: Uint8Array): Uint8Array;
  _getDbKey(hash: Uint8Array): Uint8Array;
}

/**
 * Whether {@link updateTrie} can write into `trie`: its keys are hashed (every key is 32 bytes, so
 * no key ends inside another's path and branches carry no values), and it does not prune (a pruning
 * trie deletes the nodes a change replaces, which a batch would have to track as it does).
 */
export function canBatch(trie: MerklePatriciaTrie): boolean {
  const t = trie as unknown as Partial<TrieInternals>;
  return t._opts?.useKeyHashing === true && t._opts.useNodePruning !== true && typeof t._getDbKey === 'function' && typeof t.hash === 'function';
}

/**
 * Writes many keys into a trie at once (an empty or null value deletes the key; the last entry of
 * a key wins): the result — root, nodes in the database — is that of `put`/`del` one key after
 * the other, but each node the change touches is encoded and hashed once. Key by key, every put
 * re-hashes its whole path up to the root: a block's two thousand accounts re-hashed the root two
 * thousand times, and the trie's hashing was half of the executor's commit. Nodes go into the
 * trie's database (inside its checkpoint, if any) in one batch; nothing is deleted from it, as
 * `put` without pruning leaves replaced nodes too. Requires {@link canBatch}.
 */
export async function updateTrie(trie: MerklePatriciaTrie, entries: Iterable<readonly [key: Uint8Array, value: Uint8Array | null]>): Promise<void> {
  const t = trie as unknown as TrieInternals;
  if (!canBatch(trie)) throw new Error('updateTrie needs a trie with hashed keys and without node pruning');
  // The trie's own hash (keys and nodes alike), unless that is @noble/hashes' Keccak (ethereumjs's
  // default): the same function natively, where hashing was a fifth of a block's commit.
  const hash = t._opts.useKeyHashingFunction === keccak_256 ? syncKeccak256() : (bytes: Uint8Array) => t.hash(bytes);
  const byKey = new Map<string, Op>();
  for (const [key, value] of entries) {
    const applied = hash(key);
    byKey.set(bytesToHex(applied), { nibbles: Array.from(toNibbles(applied)), value: value !== null && value.length > 0 ? value : null });
  }
  if (byKey.size === 0) return;
  // Keys are equally long hex strings: their order is the nibbles' order.
  const ops = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, op]) => op);
  const writes: BatchDBOp[] = [];
  const format = (node: MPTNode, top = false): Ref => {
    const encoded = node.serialize();
    if (encoded.length < 32 && !top) return node.raw() as Ref;
    const h = hash(encoded);
    writes.push({ type: 'put', key: t._getDbKey(h), value: encoded });
    return h;
  };
  const batch = new Batch(trie, format);
  const root = trie.root();
  const rootNode = equalsBytes(root, trie.EMPTY_TRIE_ROOT) ? null : await trie.lookupNode(root);
  const updated = await batch.update(rootNode, 0, ops);
  const newRoot = updated === null ? trie.EMPTY_TRIE_ROOT : (format(updated, true) as Uint8Array);
  await trie.database().batch(writes);
  trie.root(newRoot);
  await trie.persistRoot();
}

/** One batch's walk: nodes it makes stay objects until their parent is formatted. */
class Batch {
  constructor(
    private readonly trie: MerklePatriciaTrie,
    private readonly format: (node: MPTNode) => Ref,
  ) {}

  /** The node that replaces `node` (at `depth` nibbles) once `ops` (sorted, all under it) are applied. */
  async update(node: MPTNode | null, depth: number, ops: Op[]): Promise<MPTNode | null> {
    if (ops.length === 0) return node;
    if (node === null) return this.build(ops.filter((op) => op.value !== null), depth);
    if (node instanceof LeafMPTNode) return this.build(withLeaf(ops, depth, node).filter((op) => op.value !== null), depth);
    if (node instanceof ExtensionMPTNode) {
      const key = node.key();
      const child = node.value() as Ref;
      if (ops.every((op) => startsWith(op.nibbles, depth, key))) {
        return joinPrefix(key, await this.update(await this.resolve(child), depth + key.length, ops), this.format);
      }
      // Some key leaves the extension's path: it becomes a branch (with the rest of its path below).
      const children: Child[] = new Array<Child>(16).fill(null);
      children[key[0]!] = key.length === 1 ? child : new ExtensionMPTNode(key.slice(1), child as Uint8Array);
      return this.updateBranch(children, depth, ops);
    }
    const children: Child[] = [];
    for (let i = 0; i < 16; i++) children.push(node.getBranch(i));
    if (node.value() !== null) throw new Error('a hashed-key trie holds a branch with a value');
    return this.updateBranch(children, depth, ops);
  }

  private async updateBranch(children: Child[], depth: number, ops: Op[]): Promise<MPTNode | null> {
    for (const [nibble, group] of byNibble(ops, depth)) {
      children[nibble] = await this.update(await this.resolve(children[nibble]!), depth + 1, group);
    }
    const live = children.flatMap((c, i) => (c === null ? [] : [i]));
    if (live.length === 0) return null;
    // A branch left with one child is not canonical: the child takes its nibble into its own path.
    if (live.length === 1) return joinPrefix([live[0]!], await this.resolve(children[live[0]!]!), this.format);
    const branch = new BranchMPTNode();
    children.forEach((c, i) => branch.setBranch(i, c === null ? null : isNode(c) ? this.format(c) : c));
    return branch;
  }

  /** A fresh subtree of `ops` (sorted, unique, all puts) below `depth`. */
  private build(ops: Op[], depth: number): MPTNode | null {
    if (ops.length === 0) return null;
    const first = ops[0]!;
    if (ops.length === 1) return new LeafMPTNode(first.nibbles.slice(depth), first.value!);
    const last = ops[ops.length - 1]!;
    let common = 0;
    while (first.nibbles[depth + common] === last.nibbles[depth + common]) common++;
    if (common > 0) return joinPrefix(first.nibbles.slice(depth, depth + common), this.build(ops, depth + common), this.format);
    const branch = new BranchMPTNode();
    for (const [nibble, group] of byNibble(ops, depth)) branch.setBranch(nibble, this.format(this.build(group, depth + 1)!));
    return branch;
  }

  private async resolve(child: Child): Promise<MPTNode | null> {
    if (child === null || isNode(child)) return child;
    return this.trie.lookupNode(child);
  }
}

/** `ops` (sorted, all sharing their first `depth` nibbles) in runs by their nibble at `depth`. */
function* byNibble(ops: Op[], depth: number): Generator<[nibble: number, group: Op[]]> {
  for (let from = 0; from < ops.length; ) {
    const nibble = ops[from]!.nibbles[depth]!;
    let to = from + 1;
    while (to < ops.length && ops[to]!.nibbles[depth] === nibble) to++;
    yield [nibble, ops.slice(from, to)];
    from = to;
  }
}

/** `ops` with the key a leaf holds added where no op names it (ops replace it where one does). */
function withLeaf(ops: Op[], depth: number, leaf: LeafMPTNode): Op[] {
  const nibbles = ops[0]!.nibbles.slice(0, depth).concat(leaf.key());
  let at = 0;
  while (at < ops.length && compareNibbles(ops[at]!.nibbles, nibbles) < 0) at++;
  if (at < ops.length && compareNibbles(ops[at]!.nibbles, nibbles) === 0) return ops;
  return [...ops.slice(0, at), { nibbles, value: leaf.value() }, ...ops.slice(at)];
}

/** `node` below a path of `prefix` nibbles, in canonical form (paths merge; a branch gets an extension). */
function joinPrefix(prefix: number[], node: MPTNode | null, format: (node: MPTNode) => Ref): MPTNode | null {
  if (node === null || prefix.length === 0) return node;
  if (node instanceof LeafMPTNode) return new LeafMPTNode(prefix.concat(node.key()), node.value());
  if (node instanceof ExtensionMPTNode) return new ExtensionMPTNode(prefix.concat(node.key()), node.value());
  return new ExtensionMPTNode(prefix, format(node) as Uint8Array);
}

function isNode(c: Child): c is MPTNode {
  return c instanceof BranchMPTNode || c instanceof ExtensionMPTNode || c instanceof LeafMPTNode;
}

function startsWith(nibbles: number[], depth: number, prefix: number[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (nibbles[depth + i] !== prefix[i]) return false;
  return true;
}
