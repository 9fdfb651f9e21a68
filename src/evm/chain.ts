import { createBlockFromRPC, type Block } from '@ethereumjs/block';
import { Common, Mainnet, type CustomCrypto } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { hexToBytes, type KZG } from '@ethereumjs/util';
import type { BlockFixture, RpcBlock } from './fixture.js';
import { blobSchedule } from './forks/blob-schedule.js';
import { loadFastestKzg } from './kzg.js';

let kzgPromise: Promise<KZG> | undefined;

/** The KZG (official trusted setup, by the fastest loader this platform has), loaded once per thread on first use. */
export function loadKzgOnce(): Promise<KZG> {
  kzgPromise ??= loadFastestKzg().then(({ kzg }) => (KZG_ON_DEMAND.loaded = kzg));
  return kzgPromise;
}

/**
 * The KZG a block's Common carries from Cancun on, loaded only when a block needs it: blob
 * transactions need a KZG object to be constructed but never call it while a block executes; the
 * point-evaluation precompile calls it, synchronously, and loading it takes seconds (see ./kzg.ts).
 * Until {@link loadKzgOnce} has loaded it, a call throws (the precompile then fails) and is
 * counted in `missed`: a runner that sees a miss reverts and runs again with the KZG loaded. The
 * parallel executor never misses: its workers forward proofs to a main thread that loads on demand.
 */
class KzgOnDemand implements KZG {
  /** The real KZG, once {@link loadKzgOnce} has loaded it. */
  loaded: KZG | undefined;
  /** Calls that found it not loaded. */
  missed = 0;
  private use(): KZG {
    if (this.loaded) return this.loaded;
    this.missed++;
    throw new Error('KZG not loaded yet (loaded on demand; the block is run again)');
  }
  verifyProof(...a: Parameters<KZG['verifyProof']>) {
    return this.use().verifyProof(...a);
  }
  blobToKzgCommitment(...a: Parameters<KZG['blobToKzgCommitment']>) {
    return this.use().blobToKzgCommitment(...a);
  }
  computeBlobProof(...a: Parameters<KZG['computeBlobProof']>) {
    return this.use().computeBlobProof(...a);
  }
  verifyBlobProofBatch(...a: Parameters<KZG['verifyBlobProofBatch']>) {
    return this.use().verifyBlobProofBatch(...a);
  }
  computeCells(...a: Parameters<KZG['computeCells']>) {
    return this.use().computeCells(...a);
  }
  computeCellsAndProofs(...a: Parameters<KZG['computeCellsAndProofs']>) {
    return this.use().computeCellsAndProofs(...a);
  }
  recoverCellsAndProofs(...a: Parameters<KZG['recoverCellsAndProofs']>) {
    return this.use().recoverCellsAndProofs(...a);
  }
  verifyCellKzgProofBatch(...a: Parameters<KZG['verifyCellKzgProofBatch']>) {
    return this.use().verifyCellKzgProofBatch(...a);
  }
}

/** The one on-demand KZG of this thread (see {@link KzgOnDemand}). */
export const KZG_ON_DEMAND = new KzgOnDemand();

/**
 * A mainnet Common for one JSON-RPC block. From Cancun on it carries {@link KZG_ON_DEMAND}: blob
 * transactions cannot be constructed without a KZG, and the point-evaluation precompile must
 * verify proofs for real (without a KZG, ethereumjs would accept any proof). The executor and
 * `runBlockSequential` load it when a block calls it; a plain `runBlock` over this Common
 * must `await loadKzgOnce()` first, or its point evaluations fail.
 */
export async function mainnetCommon(rpc: RpcBlock, extra: CustomCrypto = {}): Promise<Common> {
  const probe = new Common({ chain: Mainnet });
  probe.setHardforkBy({ blockNumber: BigInt(rpc.number), timestamp: BigInt((rpc.timestamp as string | undefined) ?? 0) });
  const customCrypto: CustomCrypto = { ...extra };
  if (probe.isActivatedEIP(4844)) customCrypto.kzg = KZG_ON_DEMAND;
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
