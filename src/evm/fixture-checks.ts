import { genWithdrawalsTrieRoot, type Block } from '@ethereumjs/block';
import { isBlob4844Tx, type TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, hexToBytes, KECCAK256_RLP_ARRAY } from '@ethereumjs/util';
import type { BlockFixture } from './fixture.js';
import { fieldCheck, type FieldCheck, type UncheckedField } from './outcome.js';

/** What a fixture lets one check before executing its block, and what it cannot check at all. */
export interface FixtureChecks {
  checks: FieldCheck[];
  unchecked: UncheckedField[];
}

/** Header fields only the parent header could check (their rules compare with it); the block hash still binds them. */
const PARENT_RULES = ['number', 'timestamp', 'gasLimit', 'difficulty', 'baseFeePerGas', 'excessBlobGas'] as const;

/**
 * Checks a fixture's block against itself before execution, with the fixture's own data:
 *
 * - `hash`: the block hash recomputed from the header fields equals the fixture's. It binds every
 *   header field (stateRoot, miner, baseFeePerGas... included): no field can be altered without it.
 * - `parentHash` against the fixture's hash of block n−1, where `blockHashes` holds it;
 * - `transactionsRoot` from the transactions, and `transactions`: each transaction's hash against
 *   the fixture's;
 * - `sha3Uncles` for a block without uncles (the fixture has the uncles' hashes, not their headers);
 * - `withdrawalsRoot` from the withdrawals (Shanghai on), `blobGasUsed` from the blob transactions
 *   (Cancun on).
 *
 * `unchecked` names what cannot be checked, and why: the uncle hash of a block with uncles, the
 * parent hash without the parent's, and the fields whose rules need the parent header. (What
 * execution can check, and the post-state root, is outcome.ts's business.)
 */
export async function checkFixtureBlock(fx: BlockFixture, block: Block): Promise<FixtureChecks> {
  const h = block.header;
  const checks: FieldCheck[] = [];
  const unchecked: UncheckedField[] = [];
  const claimedHash = typeof fx.block['hash'] === 'string' ? (fx.block['hash'] as `0x${string}`) : undefined;
  if (claimedHash) checks.push(fieldCheck('hash', block.hash(), hexToBytes(claimedHash)));
  else unchecked.push({ field: 'hash', why: 'the fixture has no block hash' });

  const parent = fx.blockHashes[String(fx.number - 1)];
  if (parent) checks.push(fieldCheck('parentHash', h.parentHash, hexToBytes(parent as `0x${string}`)));
  else unchecked.push({ field: 'parentHash', why: `the fixture has no hash of block ${fx.number - 1}` });

  checks.push(fieldCheck('transactionsRoot', await block.genTxTrie(), h.transactionsTrie));
  checks.push(transactionHashes(fx, block));

  const uncles = Array.isArray(fx.block['uncles']) ? (fx.block['uncles'] as unknown[]).length : 0;
  if (uncles === 0) checks.push(fieldCheck('sha3Uncles', KECCAK256_RLP_ARRAY, h.uncleHash));
  else unchecked.push({ field: 'sha3Uncles', why: `the fixture has the hashes of its ${uncles} uncle(s), not their headers` });

  if (block.common.isActivatedEIP(4895)) {
    checks.push(fieldCheck('withdrawalsRoot', await genWithdrawalsTrieRoot(block.withdrawals ?? []), h.withdrawalsRoot!));
  }
  if (block.common.isActivatedEIP(4844)) {
    const perBlob = block.common.param('blobGasPerBlob');
    const used = block.transactions.reduce((sum, tx) => sum + (isBlob4844Tx(tx) ? BigInt(tx.numBlobs()) * perBlob : 0n), 0n);
    checks.push(fieldCheck('blobGasUsed', used, h.blobGasUsed!));
  }

  unchecked.push({ field: PARENT_RULES.join(', '), why: 'their rules need the parent header; the block hash binds their values' });
  return { checks, unchecked };
}

/** Every transaction's hash against the fixture's; the first that differs is reported. */
function transactionHashes(fx: BlockFixture, block: Block): FieldCheck {
  const rpc = fx.block.transactions;
  for (let i = 0; i < block.transactions.length; i++) {
    const got = hashOf(block.transactions[i]!);
    const want = rpc[i]?.hash?.toLowerCase();
    if (got !== want) return { field: 'transactions', got: `transaction ${i}: ${got}`, expected: `${want}`, match: false };
  }
  const n = `${block.transactions.length} hashes`;
  return { field: 'transactions', got: n, expected: n, match: true };
}

/** ethereumjs refuses to hash a transaction it deems unsigned: that is a mismatch to report, not a crash. */
function hashOf(tx: TypedTransaction): string {
  try {
    return bytesToHex(tx.hash());
  } catch (e) {
    return `unhashable (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** Whether a fixture's pre-state is the whole world state (built fixtures), so that state and pre-Byzantium receipt roots are checkable. */
export function holdsWholeState(fx: BlockFixture): boolean {
  return fx.source === 'built';
}
