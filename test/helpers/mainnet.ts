import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createBlockFromRPC, type Block } from '@ethereumjs/block';
import { Common, Mainnet } from '@ethereumjs/common';
import { bigIntToBytes, setLengthLeft, hexToBytes } from '@ethereumjs/util';
import { loadKZG } from 'kzg-wasm';
import type { Signature } from '../../src/index.js';

export const MAINNET_DIR = new URL('../fixtures/mainnet/', import.meta.url).pathname;

/** One shared-fixtures block: `{ number, block, preState, blockHashes }`. */
export interface MainnetFixture {
  number: number;
  block: { transactions: { from: string; hash: string }[] } & Record<string, unknown>;
  preState: Record<string, unknown>;
  blockHashes: Record<string, string>;
}

export function fixtureFiles(): string[] {
  return readdirSync(MAINNET_DIR)
    .filter((f) => f.endsWith('.json.gz'))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => join(MAINNET_DIR, f));
}

export function loadFixture(file: string): MainnetFixture {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as MainnetFixture;
}

let common: Common | undefined;
/** Parses a fixture's block with its hardfork, with a real KZG so blob transactions construct. */
export async function fixtureBlock(f: MainnetFixture): Promise<Block> {
  common ??= new Common({ chain: Mainnet, customCrypto: { kzg: await loadKZG() } });
  return createBlockFromRPC(f.block as never, [], { common: common.copy(), setHardfork: true });
}

/** Every transaction of every mainnet fixture as a signature over its signing hash, with mainnet's sender. */
export async function mainnetSenders(): Promise<{ sig: Signature; from: Uint8Array; where: string }[]> {
  const out: { sig: Signature; from: Uint8Array; where: string }[] = [];
  for (const file of fixtureFiles()) {
    const f = loadFixture(file);
    const block = await fixtureBlock(f);
    block.transactions.forEach((tx, i) => {
      const v = tx.v!;
      // Legacy: 27/28, or EIP-155's chainId·2 + 35/36 (chainId·2 is even); typed: yParity.
      const recovery = tx.type !== 0 ? Number(v) : v < 35n ? Number(v - 27n) : Number((v - 35n) % 2n);
      out.push({
        sig: {
          hash: tx.getHashedMessageToSign(),
          r: setLengthLeft(bigIntToBytes(tx.r!), 32),
          s: setLengthLeft(bigIntToBytes(tx.s!), 32),
          recovery: recovery as 0 | 1,
        },
        from: hexToBytes(f.block.transactions[i]!.from as `0x${string}`),
        where: `block ${f.number} tx ${i}`,
      });
    });
  }
  return out;
}
