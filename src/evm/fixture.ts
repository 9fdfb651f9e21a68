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

/** A mainnet block fixture: the JSON-RPC block, its pre-state and the hashes BLOCKHASH may ask for. */
export interface BlockFixture {
  number: number;
  /** The block as `eth_getBlockByNumber(n, true)` returns it. */
  block: RpcBlock;
  preState: PreState;
  /** Block number (decimal string) → 0x-hash. */
  blockHashes: Record<string, string>;
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

/** Reads one `<number>.json.gz` fixture. */
export async function loadFixture(path: string): Promise<BlockFixture> {
  const raw = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as BlockFixture;
  if (typeof raw.number !== 'number' || !raw.block || !raw.preState || !Array.isArray(raw.block.transactions)) {
    throw new Error(`${path}: not a block fixture (needs number, block.transactions, preState)`);
  }
  raw.blockHashes ??= {};
  return raw;
}

/** Fixture files under a path: the file itself, or every `*.json.gz` in a folder, by block number. */
export async function listFixtures(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => n.endsWith('.json.gz'));
  names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return names.map((n) => join(path, n));
}
