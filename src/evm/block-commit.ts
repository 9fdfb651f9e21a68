import type { Block } from '@ethereumjs/block';
import { Hardfork, type StateManagerInterface } from '@ethereumjs/common';
import { Account, Address, bigIntToBytes, bytesToHex, equalsBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { paramsVM, type TxReceipt } from '@ethereumjs/vm';
import {
  accountKey,
  clearKey,
  EMPTY_CODE_HASH,
  keyHex,
  resolve,
  storageKey,
  type AccountValue,
  type BaseReader,
  type MVMemory,
  type StateKey,
  type StateValue,
  type WriteSet,
} from './mv-memory.js';
import type { TxOutcome } from './protocol.js';

const BEACON_ROOTS = hexToBytes('0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02');
const GWEI = 1_000_000_000n;

/**
 * Block-level writes before the first transaction, as ethereumjs's runBlock makes them (EIP-4788:
 * the parent beacon root into the beacon-roots contract, when it has code). Applied to `target`
 * and returned as a write set so transactions read them (they sit at index -1 in the memory).
 */
export async function applyPrelude(block: Block, target: StateManagerInterface): Promise<WriteSet> {
  const writes: WriteSet = { values: [], deltas: [], codes: [] };
  if (!block.common.isActivatedEIP(4788)) return writes;
  const address = new Address(BEACON_ROOTS);
  if ((await target.getCode(address)).length === 0) return writes;
  const common = block.common.copy();
  common.updateParams(paramsVM);
  const length = BigInt(common.param('historicalRootsLength'));
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
}

/**
 * Applies one committed transaction's write set to the target state manager. Account fields are
 * written field by field so the target keeps its own storage roots; code comes from the memory's
 * content-addressed code store; lazy deltas are added to the current balance and nonce.
 */
export async function applyWrites(target: StateManagerInterface, writes: WriteSet, codes: Map<string, Uint8Array>): Promise<void> {
  const accounts = new Map<string, AccountValue | null>();
  const cleared = new Set<string>();
  const slots: [string, string, Uint8Array][] = [];
  for (const [key, value] of writes.values) {
    const a = key.slice(1, 41);
    if (key[0] === 'a') accounts.set(a, value as AccountValue | null);
    else if (key[0] === 'g') cleared.add(a);
    else if (key[0] === 's') slots.push([a, key.slice(41), value as Uint8Array]);
  }
  for (const a of cleared) {
    if (accounts.get(a) !== null) await target.clearStorage(addr(a));
  }
  for (const [a, value] of accounts) {
    const address = addr(a);
    if (value === null) {
      await target.deleteAccount(address);
      continue;
    }
    const current = await target.getAccount(address);
    if (!equalsBytes(value.codeHash, EMPTY_CODE_HASH) && !(current && equalsBytes(current.codeHash, value.codeHash))) {
      const code = codes.get(keyHex(value.codeHash));
      if (!code) throw new Error(`code ${bytesToHex(value.codeHash)} of 0x${a} is missing from the code store`);
      await target.putCode(address, code);
    }
    await target.modifyAccountFields(address, { nonce: value.nonce, balance: value.balance, codeHash: value.codeHash });
  }
  for (const [a, slot, value] of slots) {
    if (accounts.get(a) === null) continue;
    await target.putStorage(addr(a), hexToBytes(`0x${slot}`), value);
  }
  for (const [key, delta] of writes.deltas) {
    const address = addr(key.slice(1, 41));
    const account = (await target.getAccount(address)) ?? new Account();
    account.balance += delta.balance;
    account.nonce += delta.nonce;
    await target.putAccount(address, account);
  }
}

/**
 * Applies the net effect of a whole block's committed transactions at once: every key any
 * transaction wrote, at its final value (what a reader after the last transaction sees). Equal to
 * applying each write set in order, with far fewer trie updates where transactions share
 * accounts (the fee recipient, hot contracts). Used where receipts need no intermediate state
 * roots (Byzantium on).
 */
export async function applyNet(target: StateManagerInterface, mv: MVMemory, txCount: number, base: BaseReader): Promise<void> {
  const byAddress = new Map<string, { account: boolean; cleared: boolean; slots: string[] }>();
  for (let tx = 0; tx < txCount; tx++) {
    for (const key of mv.keysOf(tx)) {
      const a = key.slice(1, 41);
      let e = byAddress.get(a);
      if (!e) byAddress.set(a, (e = { account: false, cleared: false, slots: [] }));
      if (key[0] === 'a') e.account = true;
      else if (key[0] === 'g') e.cleared = true;
      else if (!e.slots.includes(key)) e.slots.push(key);
    }
  }
  for (const [a, e] of byAddress) {
    const final = e.account ? ((await resolve(mv, accountKey(a), txCount, base)) as AccountValue | null) : undefined;
    const values: [StateKey, StateValue][] = [];
    if (final !== undefined) values.push([accountKey(a), final]);
    if (e.cleared) values.push([clearKey(a), true]);
    for (const key of e.slots) values.push([key, await resolve(mv, key, txCount, base)]);
    await applyWrites(target, { values, deltas: [], codes: [] }, mv.codes);
  }
}

/**
 * Block-level writes after the last transaction, as runBlock makes them: withdrawals (EIP-4895,
 * with EIP-158's removal of touched empty accounts) and proof-of-work miner and ommer rewards.
 */
export async function applyPostBlock(block: Block, target: StateManagerInterface): Promise<void> {
  if (block.common.isActivatedEIP(4895)) {
    const touched = new Set<string>();
    for (const w of block.withdrawals ?? []) {
      await credit(target, w.address, w.amount * GWEI);
      touched.add(w.address.toString());
    }
    for (const a of touched) {
      const address = new Address(hexToBytes(a as `0x${string}`));
      if ((await target.getAccount(address))?.isEmpty()) await target.deleteAccount(address);
    }
  }
  if (block.common.consensusType() === 'pow') {
    // The reward is a VM parameter: read it from a copy carrying the VM's parameter set, as runBlock does.
    const common = block.common.copy();
    common.updateParams(paramsVM);
    const minerReward = common.param('minerReward');
    for (const ommer of block.uncleHeaders) {
      const reward = ((8n - (block.header.number - ommer.number)) * minerReward) / 8n;
      await credit(target, ommer.coinbase, reward < 0n ? 0n : reward);
    }
    await credit(target, block.header.coinbase, minerReward + (minerReward / 32n) * BigInt(block.uncleHeaders.length));
  }
}

async function credit(target: StateManagerInterface, address: Address, amount: bigint): Promise<void> {
  const account = (await target.getAccount(address)) ?? new Account();
  account.balance += amount;
  await target.putAccount(address, account);
}

/** The receipt runTx would have produced, given the block's cumulative gas so far. */
export async function buildReceipt(
  block: Block,
  txType: number,
  outcome: TxOutcome,
  cumulativeBlockGasUsed: bigint,
  target: StateManagerInterface,
): Promise<TxReceipt> {
  const base = { cumulativeBlockGasUsed, bitvector: outcome.bloom, logs: outcome.logs };
  if (txType === 0 && !block.common.gteHardfork(Hardfork.Byzantium)) {
    return { stateRoot: await target.getStateRoot(), ...base };
  }
  if (txType === 3) {
    return { blobGasUsed: outcome.blobGasUsed ?? 0n, blobGasPrice: block.header.getBlobGasPrice(), status: outcome.status, ...base };
  }
  return { status: outcome.status, ...base };
}

function addr(a: string): Address {
  return new Address(hexToBytes(`0x${a}`));
}


function unpad(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.slice(i);
}

