import type { StateManagerInterface } from '@ethereumjs/common';
import type { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, bytesToHex, equalsBytes, hexToBytes, KECCAK256_NULL, KECCAK256_RLP, unpadBytes } from '@ethereumjs/util';
import { resolve, type BaseReader, type MVMemory, type WriteSet } from './mv-memory.js';
import { accountKey, clearKey, keyHex, parseKey, type StateKey } from './state-key.js';
import type { AccountValue } from './state-value.js';

/**
 * Applies one committed transaction's write set to the target state manager. Account fields are
 * written field by field so the target keeps its own storage roots; code comes from the memory's
 * content-addressed code store; lazy deltas are added to the current balance and nonce.
 *
 * `whole`: `writes` is a whole block's net writes ({@link netWrites}), applied once to the
 * pre-state plus the block's prelude (system-contract storage the prelude wrote into the target).
 * An account then needs no read of the target where neither the block nor the prelude changed its
 * code or storage and it has none (most accounts a block touches: senders, recipients, the fee
 * recipient): its value is the whole account, written as such. A target read costs a trie walk,
 * and two per account (this check and modifyAccountFields') were over half of a block's commit.
 * Not per transaction: there an earlier write may have moved the storage root the value carries.
 */
export async function applyWrites(target: StateManagerInterface, writes: WriteSet, codes: Map<string, Uint8Array>, whole?: { prelude: WriteSet }): Promise<void> {
  const accounts = new Map<string, AccountValue | null>();
  const cleared = new Set<string>();
  const slots: [string, string, Uint8Array][] = [];
  for (const [key, value] of writes.values) {
    const k = parseKey(key);
    switch (k.kind) {
      case 'account':
        accounts.set(k.address, value as AccountValue | null);
        break;
      case 'clear':
        cleared.add(k.address);
        break;
      case 'storage':
        slots.push([k.address, k.slot, value as Uint8Array]);
        break;
    }
  }
  for (const a of cleared) {
    if (accounts.get(a) !== null) await target.clearStorage(addr(a));
  }
  const storageWritten = new Set(slots.map(([a]) => a));
  for (const [key] of whole?.prelude.values ?? []) storageWritten.add(parseKey(key).address);
  for (const [a, value] of accounts) {
    const address = addr(a);
    if (value === null) {
      await target.deleteAccount(address);
      continue;
    }
    if (whole && !cleared.has(a) && !storageWritten.has(a) && equalsBytes(value.storageRoot, KECCAK256_RLP) && !codes.has(keyHex(value.codeHash))) {
      await target.putAccount(address, new Account(value.nonce, value.balance, value.storageRoot, value.codeHash));
      continue;
    }
    const current = await target.getAccount(address);
    if (!equalsBytes(value.codeHash, KECCAK256_NULL) && !(current && equalsBytes(current.codeHash, value.codeHash))) {
      const code = codes.get(keyHex(value.codeHash));
      if (!code) throw new Error(`code ${bytesToHex(value.codeHash)} of 0x${a} is missing from the code store`);
      await target.putCode(address, code);
    } else if (equalsBytes(value.codeHash, KECCAK256_NULL) && current && !equalsBytes(current.codeHash, KECCAK256_NULL)) {
      // An EIP-7702 delegation cleared: a target caching code by address must forget it.
      await target.putCode(address, new Uint8Array());
    }
    await target.modifyAccountFields(address, { nonce: value.nonce, balance: value.balance, codeHash: value.codeHash });
  }
  const byAccount = new Map<string, [Uint8Array, Uint8Array][]>();
  for (const [a, slot, value] of slots) {
    if (accounts.get(a) === null) continue;
    let list = byAccount.get(a);
    if (!list) byAccount.set(a, (list = []));
    list.push([hexToBytes(`0x${slot}`), value]);
  }
  for (const [a, list] of byAccount) await putStorageOf(target, addr(a), list);
  for (const [key, delta] of writes.deltas) {
    const address = addr(parseKey(key).address);
    const account = (await target.getAccount(address)) ?? new Account();
    account.balance += delta.balance;
    account.nonce += delta.nonce;
    await target.putAccount(address, account);
  }
}

/**
 * The net effect of a whole block's committed transactions: every key any transaction wrote, at
 * its final value (what a reader after the last transaction sees), with the code of every account
 * whose code was deployed in the block. Applying it once equals applying each write set in order,
 * with far fewer trie updates where transactions share accounts (the fee recipient, hot
 * contracts). For blocks whose receipts need no intermediate state roots (Byzantium on).
 */
export async function netWrites(mv: MVMemory, txCount: number, base: BaseReader): Promise<WriteSet> {
  const byAddress = new Map<string, { account: boolean; cleared: boolean; slots: Set<StateKey> }>();
  for (let tx = 0; tx < txCount; tx++) {
    for (const key of mv.keysOf(tx)) {
      const k = parseKey(key);
      let e = byAddress.get(k.address);
      if (!e) byAddress.set(k.address, (e = { account: false, cleared: false, slots: new Set() }));
      if (k.kind === 'account') e.account = true;
      else if (k.kind === 'clear') e.cleared = true;
      else e.slots.add(key);
    }
  }
  const net: WriteSet = { values: [], deltas: [], codes: [] };
  for (const [a, e] of byAddress) {
    if (e.account) {
      const final = (await resolve(mv, accountKey(a), txCount, base)) as AccountValue | null;
      net.values.push([accountKey(a), final]);
      const code = final && mv.codes.get(keyHex(final.codeHash));
      if (code) net.codes.push([keyHex(final.codeHash), code]);
    }
    if (e.cleared) net.values.push([clearKey(a), true]);
    for (const key of e.slots) net.values.push([key, await resolve(mv, key, txCount, base)]);
  }
  return net;
}

/** MerkleStateManager's own step under putStorage: one storage-trie change, then one account update. */
type ModifyStorage = (address: Address, account: Account, modify: (trie: MerklePatriciaTrie, done: () => void) => void) => Promise<void>;

/**
 * Writes one account's storage slots. A MerkleStateManager without a storage cache (ethereumjs's
 * default) turns each putStorage into an account read, a storage-trie write and an account write;
 * a contract that a block writes in a thousand slots (a token) paid two thousand account-trie walks
 * for one final storage root. There, the slots go into the storage trie in one change through the
 * manager's own `_modifyContractStorage` (protected in @ethereumjs/statemanager 10: the step its
 * putStorage and clearStorage use), so the account is read and written once; any other target, or
 * one with a storage cache (whose putStorage is cheap), gets putStorage per slot.
 */
async function putStorageOf(target: StateManagerInterface, address: Address, slots: [Uint8Array, Uint8Array][]): Promise<void> {
  const modify = (target as unknown as { _modifyContractStorage?: ModifyStorage })._modifyContractStorage;
  const cached = (target as unknown as { _caches?: { storage?: unknown } })._caches?.storage !== undefined;
  const account = slots.length > 1 && target instanceof MerkleStateManager && !cached && modify ? await target.getAccount(address) : undefined;
  if (!account) {
    for (const [slot, value] of slots) await target.putStorage(address, slot, value);
    return;
  }
  let failure: unknown;
  await modify!.call(target, address, account, (trie, done) => {
    void (async () => {
      try {
        for (const [slot, value] of slots) {
          const v = unpadBytes(value);
          if (v.length) await trie.put(slot, RLP.encode(v));
          else await trie.del(slot);
        }
      } catch (e) {
        failure = e;
      }
      // Called whatever happened: the manager's promise settles only through it.
      done();
    })();
  });
  if (failure !== undefined) throw failure;
}

function addr(a: string): Address {
  return new Address(hexToBytes(`0x${a}`));
}
