import { createBlockFromRPC, type Block } from '@ethereumjs/block';
import { Common, Mainnet, type CustomCrypto } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { hexToBytes, type KZG } from '@ethereumjs/util';
import { loadKZG } from 'kzg-wasm';
import type { BlockFixture, RpcBlock } from './fixture.js';
import { blobSchedule } from './forks/blob-schedule.js';

let kzgPromise: Promise<KZG> | undefined;

/** The KZG (kzg-wasm, official trusted setup), loaded once per thread on first use. */
export function loadKzgOnce(): Promise<KZG> {
  kzgPromise ??= loadKZG();
  return kzgPromise;
}

/**
 * A mainnet Common for one JSON-RPC block. From Cancun on a real KZG is attached: blob
 * transactions cannot be constructed without one, and the point-evaluation precompile must verify
 * proofs for real (without a KZG, ethereumjs would accept any proof).
 */
export async function mainnetCommon(rpc: RpcBlock, extra: CustomCrypto = {}): Promise<Common> {
  const probe = new Common({ chain: Mainnet });
  probe.setHardforkBy({ blockNumber: BigInt(rpc.number), timestamp: BigInt((rpc.timestamp as string | undefined) ?? 0) });
  const customCrypto: CustomCrypto = { ...extra };
  if (probe.isActivatedEIP(4844)) customCrypto.kzg = await loadKzgOnce();
  return new Common({ chain: Mainnet, customCrypto });
}

/** Builds the ethereumjs Block of a JSON-RPC block, hardfork chosen by number and timestamp. */
export async function blockFromRpc(rpc: RpcBlock, extra: CustomCrypto = {}): Promise<Block> {
  const common = await mainnetCommon(rpc, extra);
  return createBlockFromRPC(rpc as never, [], { common, setHardfork: true });
}

/** Serves BLOCKHASH from a fixture's `blockHashes`; a hash the fixture lacks is an error, not zero. */
export class FixtureBlockHashes implements EVMMockBlockchainInterface {
  private readonly hashes: Map<number, Uint8Array>;
  constructor(blockHashes: Record<string, string>) {
    this.hashes = new Map(Object.entries(blockHashes).map(([n, h]) => [Number(n), hexToBytes(h as `0x${string}`)]));
  }
  async getBlock(blockId: number) {
    const hash = this.hashes.get(blockId);
    if (!hash) throw new Error(`BLOCKHASH(${blockId}): the block hash is not in the fixture`);
    return { hash: () => hash };
  }
  async putBlock(): Promise<void> {}
  shallowCopy(): EVMMockBlockchainInterface {
    return this;
  }
}

/**
 * Builds the block of a fixture. Where the fixture states its hardfork and blob schedule (built
 * fixtures do), the installed @ethereumjs/common must select the same for the block: a fixture
 * made for other fork rules is refused, naming both, rather than run under the wrong ones.
 */
export async function fixtureBlock(fixture: BlockFixture, extra: CustomCrypto = {}): Promise<Block> {
  const block = await blockFromRpc(fixture.block, extra);
  const c = block.common;
  if (fixture.hardfork !== undefined && c.hardfork() !== fixture.hardfork) {
    const known = c.hardforks().some((h) => h.name === fixture.hardfork);
    throw new Error(
      `block ${fixture.number}: the fixture runs under ${fixture.hardfork}, the installed @ethereumjs/common ${known ? `selects ${c.hardfork()} for it` : `does not know ${fixture.hardfork}`}`,
    );
  }
  if (fixture.blobSchedule !== undefined) {
    const ours = blobSchedule(c);
    if (JSON.stringify(ours) !== JSON.stringify(fixture.blobSchedule)) {
      throw new Error(`block ${fixture.number}: the fixture's blob schedule ${JSON.stringify(fixture.blobSchedule)} is not the installed @ethereumjs/common's ${JSON.stringify(ours)}`);
    }
  }
  return block;
}
