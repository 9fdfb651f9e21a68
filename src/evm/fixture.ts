import { readFile, readdir, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

/** One account of a fixture's pre-state, hex strings as in the fixtures README. */
export interface PreStateAccount {
  balance: string;
  nonce: string;
  code: string;
  storage: Record<string, string>;
}

/** Every account and slot a block touches, as it was before the block; keyed by 0x-address. */
export type PreState = Record<string, PreStateAccount>;

/**
 * A block fixture: the JSON-RPC block, its pre-state and the hashes BLOCKHASH may ask for. Mainnet
 * fixtures hold exactly these four fields; built ones (`source: 'built'`, made by
 * test/helpers/built-blocks from fixed keys, not mainnet blocks) also state their hardfork, blob
 * schedule and execution requests, and what plain `runBlock` produced from the pre-state.
 */
export interface BlockFixture {
  number: number;
  /** The block as `eth_getBlockByNumber(n, true)` returns it (Prague on: `requestsHash`, `parentBeaconBlockRoot`…). */
  block: RpcBlock;
  preState: PreState;
  /** Block number (decimal string) → 0x-hash. */
  blockHashes: Record<string, string>;
  /** Where the block comes from; absent means mainnet. */
  source?: 'mainnet' | 'built';
  /** The hardfork the block runs under (mainnet selects it by number and timestamp; a built fixture checks it). */
  hardfork?: string;
  /** EIP-7840 blob parameters in force: `loadFixture` callers check the installed @ethereumjs/common agrees. */
  blobSchedule?: BlobSchedule;
  /** EIP-7685 execution requests, type byte ‖ data in hex, as the consensus layer would receive them. */
  requests?: string[];
  /**
   * What plain `runBlock` produced from `preState`. A built fixture's pre-state is the whole
   * world state, so its state root is checkable too.
   */
  expected?: ExpectedOutcome;
}

/** EIP-7840's per-fork blob parameters (blobs per block; the base fee update fraction). */
export interface BlobSchedule {
  target: number;
  max: number;
  baseFeeUpdateFraction: number;
}

/** Plain `runBlock`'s outcome for a fixture, 0x-hex (gasUsed decimal). */
export interface ExpectedOutcome {
  stateRoot: string;
  receiptsRoot: string;
  logsBloom: string;
  gasUsed: string;
  /** Prague on. */
  requestsHash?: string;
}

/** The JSON-RPC block fields this project reads; the rest pass through to ethereumjs untouched. */
export interface RpcBlock {
  number: string;
  gasUsed: string;
  logsBloom: string;
  receiptsRoot: string;
  stateRoot: string;
  miner: string;
  transactions: RpcTransaction[];
  [field: string]: unknown;
}

/** The JSON-RPC transaction fields this project reads. */
export interface RpcTransaction {
  hash: string;
  from: string;
  type?: string;
  [field: string]: unknown;
}

/** Reads one `<number>[-label].json.gz` fixture. */
export async function loadFixture(path: string): Promise<BlockFixture> {
  const raw = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as BlockFixture;
  if (typeof raw.number !== 'number' || !raw.block || !raw.preState || !Array.isArray(raw.block.transactions)) {
    throw new Error(`${path}: not a block fixture (needs number, block.transactions, preState)`);
  }
  raw.blockHashes ??= {};
  return raw;
}

/**
 * Fixture files under a path: the file itself, or every `*.json.gz` directly in a folder (not its
 * subfolders), ordered by the block number the name starts with.
 */
export async function listFixtures(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => n.endsWith('.json.gz'));
  names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return names.map((n) => join(path, n));
}
