import { createBlockFromRPC } from '@ethereumjs/block';
import { Common, Mainnet, type CustomCrypto } from '@ethereumjs/common';
import { bytesToHex } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Signature } from '../../src/index.js';
import { listFixtures, loadFixture, type RpcTransaction } from '../../src/evm/fixture.js';
import { transactionSignatures } from '../../src/evm/senders.js';

export const MAINNET_DIR = new URL('../fixtures/mainnet/', import.meta.url).pathname;

/**
 * Hashing a blob transaction for signing never touches KZG, but ethereumjs will not construct one
 * without a KZG object, and loading one costs seconds: hand it one that fails if ever used.
 */
const KZG_NEVER_USED = new Proxy(
  {},
  {
    get: (_, name) => () => {
      throw new Error(`KZG ${String(name)} is not needed to hash a transaction for signing`);
    },
  },
) as NonNullable<CustomCrypto['kzg']>;

/** A mainnet transaction as recovery input: its signature over its signing hash, and mainnet's sender. */
export interface MainnetSender {
  sig: Signature;
  /** 0x-prefixed lower-case address that mainnet recovered. */
  from: string;
  where: string;
}

/**
 * The mainnet fixtures' transactions as signatures with their senders, built by the executor's own
 * `transactionSignatures`. With `perBlock`, only the first `perBlock` transactions of each block and
 * the first of each transaction type it holds (every type, blob transactions included, is covered).
 */
export async function mainnetSenders(perBlock = Infinity): Promise<MainnetSender[]> {
  const out: MainnetSender[] = [];
  const keccak = { keccak256: async (msgs: Uint8Array[]) => msgs.map((m) => keccak_256(m)) };
  for (const file of await listFixtures(MAINNET_DIR)) {
    const f = await loadFixture(file);
    const seenTypes = new Set<string | undefined>();
    const picked = f.block.transactions.filter((tx: RpcTransaction, i: number) => {
      const first = !seenTypes.has(tx.type);
      seenTypes.add(tx.type);
      return i < perBlock || first;
    });
    const common = new Common({ chain: Mainnet, customCrypto: { kzg: KZG_NEVER_USED } });
    const block = createBlockFromRPC({ ...f.block, transactions: picked } as never, [], { common, setHardfork: true });
    const sigs = await transactionSignatures(block, keccak);
    sigs.forEach((sig, i) => out.push({ sig, from: picked[i]!.from.toLowerCase(), where: `block ${f.number} tx ${bytesToHex(block.transactions[i]!.hash())}` }));
  }
  return out;
}
