import type { Block } from '@ethereumjs/block';
import type { StateManagerInterface } from '@ethereumjs/common';
import { Account, Address, bigIntToBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import type { TxReceipt } from '@ethereumjs/vm';
import type { WriteSet } from './mv-memory.js';
import { keyHex, storageKey } from './state-key.js';
import { unpad } from './state-value.js';
import { daoFork } from './forks/dao.js';
import { historyStorage } from './forks/history-storage.js';
import { vmCommon } from './vm-common.js';

/**
 * Block-level state changes runBlock makes outside the block's transactions: system writes before
 * the first transaction, withdrawals and rewards after the last. Each is a step in one of two
 * lists; a hardfork's new system call is one more step.
 */

/** What a block-level step works on. */
export interface BlockStepContext {
  block: Block;
  /** The state manager the post-state goes into (holding the pre-state before the first transaction). */
  target: StateManagerInterface;
}

/**
 * A step before the first transaction: it writes into `target` and returns the same writes as a
 * write set, which transactions then read (they sit at index -1 of the multi-version memory).
 */
export type PreludeStep = (ctx: BlockStepContext) => Promise<WriteSet>;

/** A step after the last transaction, once the block's net writes are in `target`. */
export type PostStep = (ctx: BlockStepContext & { receipts: readonly TxReceipt[] }) => Promise<void>;

const BEACON_ROOTS = hexToBytes('0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02');
const GWEI = 1_000_000_000n;

/** EIP-4788: the parent beacon root into the beacon-roots contract, when it has code. */
const beaconRoot: PreludeStep = async ({ block, target }) => {
  const writes: WriteSet = { values: [], deltas: [], codes: [] };
  if (!block.common.isActivatedEIP(4788)) return writes;
  const address = new Address(BEACON_ROOTS);
  if ((await target.getCode(address)).length === 0) return writes;
  const length = BigInt(vmCommon(block).param('historicalRootsLength'));
  const index = block.header.timestamp % length;
  const puts: [bigint, Uint8Array][] = [
    [index, bigIntToBytes(block.header.timestamp)],
    [index + length, block.header.parentBeaconBlockRoot!],
  ];
  for (const [slot, value] of puts) {
    const key = setLengthLeft(bigIntToBytes(slot), 32);
    await target.putStorage(address, key, value);
    writes.values.push([storageKey(keyHex(BEACON_ROOTS), keyHex(key)), unpad(value)]);
  }
  return writes;
};

/** EIP-4895 withdrawals, with EIP-158's removal of touched empty accounts. */
const withdrawals: PostStep = async ({ block, target }) => {
  if (!block.common.isActivatedEIP(4895)) return;
  const touched = new Set<string>();
  for (const w of block.withdrawals ?? []) {
    await credit(target, w.address, w.amount * GWEI);
    touched.add(w.address.toString());
  }
  for (const a of touched) {
    const address = new Address(hexToBytes(a as `0x${string}`));
    if ((await target.getAccount(address))?.isEmpty()) await target.deleteAccount(address);
  }
};

/** Proof-of-work miner and ommer rewards. */
const powRewards: PostStep = async ({ block, target }) => {
  if (block.common.consensusType() !== 'pow') return;
  const minerReward = vmCommon(block).param('minerReward');
  for (const ommer of block.uncleHeaders) {
    const reward = ((8n - (block.header.number - ommer.number)) * minerReward) / 8n;
    await credit(target, ommer.coinbase, reward < 0n ? 0n : reward);
  }
  await credit(target, block.header.coinbase, minerReward + (minerReward / 32n) * BigInt(block.uncleHeaders.length));
};

/** Steps before the first transaction, in runBlock's order. */
export const PRELUDE_STEPS: readonly PreludeStep[] = [daoFork, beaconRoot, historyStorage];
/** Steps after the last transaction, in runBlock's order. */
export const POST_STEPS: readonly PostStep[] = [withdrawals, powRewards];

/** Runs the prelude steps; their writes, in order, as one write set. */
export async function applyPrelude(ctx: BlockStepContext): Promise<WriteSet> {
  const all: WriteSet = { values: [], deltas: [], codes: [] };
  for (const step of PRELUDE_STEPS) {
    const w = await step(ctx);
    all.values.push(...w.values);
    all.deltas.push(...w.deltas);
    all.codes.push(...w.codes);
  }
  return all;
}

/** Runs the post-block steps. */
export async function applyPostBlock(ctx: BlockStepContext & { receipts: readonly TxReceipt[] }): Promise<void> {
  for (const step of POST_STEPS) await step(ctx);
}


async function credit(target: StateManagerInterface, address: Address, amount: bigint): Promise<void> {
  const account = (await target.getAccount(address)) ?? new Account();
  account.balance += amount;
  await target.putAccount(address, account);
}
