import type { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import type { BatchDBOp } from '@ethereumjs/util';
import { equalsBytes } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { syncKeccak256, syncKeccak256Many } from '../backends/cpu/sync-keccak.js';
import { compareNibbles, toNibbles } from './nibbles.js';
import { buildNode, encodeNode, hexPrefix, readHexPrefix, type NodeRef, type RawNode, type TrieItem } from './trie-node.js';

interface Op {
  /** The hashed key's nibbles. */
  path: Uint8Array;
  /** Null deletes the key. */
  value: Uint8Array | null;
}

/** A node the batch made, not formatted yet: its parent decides whether it is inlined or hashed. */
class Made {
  constructor(readonly node: RawNode) {}
}

/** A branch's child while the batch rebuilds it: a reference it keeps, a node it made, or none. */
type Child = NodeRef | Made | null;

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
  const t = trie as MerklePatriciaTrie & TrieInternals;
  if (!canBatch(trie)) throw new Error('updateTrie needs a trie with hashed keys and without node pruning');
  // The trie's own hash (keys and nodes alike), unless that is @noble/hashes' Keccak (ethereumjs's
  // default): the same function natively, where hashing was a fifth of a block's commit.
  const native = t._opts.useKeyHashingFunction === keccak_256;
  const hash = native ? syncKeccak256() : (bytes: Uint8Array) => t.hash(bytes);
  const list = [...entries];
  const keys = native ? syncKeccak256Many()(list.map(([key]) => key)) : list.map(([key]) => hash(key));
  const all: Op[] = list.map(([, value], i) => ({ path: toNibbles(keys[i]!), value: value !== null && value.length > 0 ? value : null }));
  // A stable sort: of a key's entries, the last one stays.
  all.sort((a, b) => compareNibbles(a.path, b.path));
  const ops = all.filter((op, i) => i + 1 === all.length || compareNibbles(op.path, all[i + 1]!.path) !== 0);
  if (ops.length === 0) return;
  const writes: BatchDBOp[] = [];
  const format = (node: RawNode, top = false): NodeRef => {
    const encoded = encodeNode(node);
    if (encoded.length < 32 && !top) return node;
    const h = hash(encoded);
    writes.push({ type: 'put', key: t._getDbKey(h), value: encoded });
    return h;
  };
  const batch = new Batch(t, format);
  const root = trie.root();
  const rootNode = equalsBytes(root, trie.EMPTY_TRIE_ROOT) ? null : await batch.load(root);
  const updated = await batch.update(rootNode, 0, ops);
  const newRoot = updated === null ? trie.EMPTY_TRIE_ROOT : (format(updated, true) as Uint8Array);
  await trie.database().batch(writes);
  trie.root(newRoot);
  await trie.persistRoot();
}

/** One batch's walk over raw nodes (see trie-node.ts). */
class Batch {
  constructor(
    private readonly trie: MerklePatriciaTrie & TrieInternals,
    private readonly format: (node: RawNode) => NodeRef,
  ) {}

  /** The node that replaces `node` (at `depth` nibbles) once `ops` (sorted, all under it) are applied. */
  async update(node: RawNode | null, depth: number, ops: Op[]): Promise<RawNode | null> {
    if (ops.length === 0) return node;
    if (node === null) return this.build(ops, depth);
    if (node.length === 2) {
      const { path, leaf } = readHexPrefix(node[0] as Uint8Array);
      if (leaf) return this.build(withLeaf(ops, depth, path, node[1] as Uint8Array), depth);
      const child = node[1]!;
      if (ops.every((op) => startsWith(op.path, depth, path))) {
        return this.joinPrefix(path, await this.update(await this.resolve(child), depth + path.length, ops));
      }
      // Some key leaves the extension's path: it becomes a branch (with the rest of its path below).
      const children = new Array<Child>(16).fill(null);
      children[path[0]!] = path.length === 1 ? child : new Made([hexPrefix(path.subarray(1), false), child]);
      return this.updateBranch(children, depth, ops);
    }
    if ((node[16] as Uint8Array).length !== 0) throw new Error('a hashed-key trie holds a branch with a value');
    const children: Child[] = [];
    for (let i = 0; i < 16; i++) children.push(isNone(node[i]!) ? null : node[i]!);
    return this.updateBranch(children, depth, ops);
  }

  /** The node stored under `hash`, decoded. */
  async load(hash: Uint8Array): Promise<RawNode> {
    const encoded = await this.trie.database().get(this.trie._getDbKey(hash));
    if (encoded === undefined) throw new Error('Missing node in DB');
    return RLP.decode(encoded) as RawNode;
  }

  private async updateBranch(children: Child[], depth: number, ops: Op[]): Promise<RawNode | null> {
    for (const [nibble, group] of byNibble(ops, depth)) {
      const updated = await this.update(await this.resolve(children[nibble]!), depth + 1, group);
      children[nibble] = updated === null ? null : new Made(updated);
    }
    const live = children.flatMap((c, i) => (c === null ? [] : [i]));
    if (live.length === 0) return null;
    // A branch left with one child is not canonical: the child takes its nibble into its own path.
    if (live.length === 1) return this.joinPrefix(Uint8Array.of(live[0]!), await this.resolve(children[live[0]!]!));
    const branch: NodeRef[] = children.map((c) => (c === null ? NONE : c instanceof Made ? this.format(c.node) : c));
    branch.push(NONE);
    return branch;
  }

  /** A fresh subtree of the puts among `ops` (sorted, unique) below `depth`. */
  private build(ops: Op[], depth: number): RawNode | null {
    const puts = ops.filter((op): op is TrieItem => op.value !== null);
    return puts.length === 0 ? null : buildNode(puts, 0, puts.length, depth, this.format);
  }

  private async resolve(child: Child): Promise<RawNode | null> {
    if (child === null) return null;
    if (child instanceof Made) return child.node;
    return child instanceof Uint8Array ? this.load(child) : child;
  }

  /** `node` below a path of `prefix` nibbles, in canonical form (paths merge; a branch gets an extension). */
  private joinPrefix(prefix: Uint8Array, node: RawNode | null): RawNode | null {
    if (node === null || prefix.length === 0) return node;
    if (node.length === 17) return [hexPrefix(prefix, false), this.format(node)];
    const { path, leaf } = readHexPrefix(node[0] as Uint8Array);
    const joined = new Uint8Array(prefix.length + path.length);
    joined.set(prefix);
    joined.set(path, prefix.length);
    return [hexPrefix(joined, leaf), node[1]!];
  }
}

const NONE = new Uint8Array();

function isNone(item: Uint8Array | RawNode): boolean {
  return item instanceof Uint8Array && item.length === 0;
}

/** `ops` (sorted, all sharing their first `depth` nibbles) in runs by their nibble at `depth`. */
function* byNibble(ops: Op[], depth: number): Generator<[nibble: number, group: Op[]]> {
  for (let from = 0; from < ops.length; ) {
    const nibble = ops[from]!.path[depth]!;
    let to = from + 1;
    while (to < ops.length && ops[to]!.path[depth] === nibble) to++;
    yield [nibble, ops.slice(from, to)];
    from = to;
  }
}

/** `ops` with the key a leaf holds (its path below `depth`: `rest`) added where no op names it (ops replace it where one does). */
function withLeaf(ops: Op[], depth: number, rest: Uint8Array, value: Uint8Array): Op[] {
  const path = new Uint8Array(depth + rest.length);
  path.set(ops[0]!.path.subarray(0, depth));
  path.set(rest, depth);
  let at = 0;
  while (at < ops.length && compareNibbles(ops[at]!.path, path) < 0) at++;
  if (at < ops.length && compareNibbles(ops[at]!.path, path) === 0) return ops;
  return [...ops.slice(0, at), { path, value }, ...ops.slice(at)];
}

function startsWith(path: Uint8Array, depth: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (path[depth + i] !== prefix[i]) return false;
  return true;
}
