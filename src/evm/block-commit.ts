import type { StateManagerInterface } from '@ethereumjs/common';
import type { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, bytesToHex, equalsBytes, hexToBytes, KECCAK256_NULL, KECCAK256_RLP, unpadBytes } from '@ethereumjs/util';
import { resolve, type BaseReader, type MVMemory, type WriteSet } from './mv-memory.js';
import { accountKey, clearKey, keyHex, parseKey, type StateKey } from './state-key.js';
import { canBatch, updateTrie } from './trie-batch.js';
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
 * Into a MerkleStateManager that writes straight into its trie (ethereumjs's default: no caches),
 * a whole block's accounts, and each contract's slots, go into their tries in one batch
 * ({@link updateTrie}).
 */
export async function applyWrites(target: StateManagerInterface, writes: WriteSet, codes: Map<string, Uint8Array>, whole?: { prelude: WriteSet }): Promise<void> {
  const { accounts, cleared, slots } = byKind(writes);
  for (const a of cleared) {
    if (accounts.get(a) !== null) await target.clearStorage(addr(a));
  }
  const storageWritten = new Set(slots.keys());
  for (const [key] of whole?.prelude.values ?? []) storageWritten.add(parseKey(key).address);
  // Whole accounts, known without reading the target (see above).
  const known = (a: string, value: AccountValue): boolean =>
    !cleared.has(a) && !storageWritten.has(a) && equalsBytes(value.storageRoot, KECCAK256_RLP) && !codes.has(keyHex(value.codeHash));
  const merkle = whole && writes.deltas.length === 0 ? batchable(target) : undefined;
  if (merkle) return applyBatched(merkle, accounts, slots, codes, known);
  for (const [a, value] of accounts) {
    const address = addr(a);
    if (value === null) {
      await target.deleteAccount(address);
      continue;
    }
    if (whole && known(a, value)) {
      await target.putAccount(address, new Account(value.nonce, value.balance, value.storageRoot, value.codeHash));
      continue;
    }
    await putCodeOf(target, address, value.codeHash, await target.getAccount(address), codes);
    await target.modifyAccountFields(address, { nonce: value.nonce, balance: value.balance, codeHash: value.codeHash });
  }
  for (const [a, list] of slots) {
    if (accounts.get(a) !== null) await putStorageOf(target, addr(a), list);
  }
  for (const [key, delta] of writes.deltas) {
    const address = addr(parseKey(key).address);
    const account = (await target.getAccount(address)) ?? new Account();
    account.balance += delta.balance;
    account.nonce += delta.nonce;
    await target.putAccount(address, account);
  }
}

type Slots = [slot: Uint8Array, value: Uint8Array][];

/** A write set's keys by kind: accounts (null: deleted), cleared storages, slots by account. */
function byKind(writes: WriteSet): { accounts: Map<string, AccountValue | null>; cleared: Set<string>; slots: Map<string, Slots> } {
  const accounts = new Map<string, AccountValue | null>();
  const cleared = new Set<string>();
  const slots = new Map<string, Slots>();
  for (const [key, value] of writes.values) {
    const k = parseKey(key);
    switch (k.kind) {
      case 'account':
        accounts.set(k.address, value as AccountValue | null);
        break;
      case 'clear':
        cleared.add(k.address);
        break;
      case 'storage': {
        let list = slots.get(k.address);
        if (!list) slots.set(k.address, (list = []));
        list.push([hexToBytes(`0x${k.slot}`), value as Uint8Array]);
        break;
      }
    }
  }
  return { accounts, cleared, slots };
}

/** Puts the code an account's new code hash names, where the target does not hold it yet. */
async function putCodeOf(target: StateManagerInterface, address: Address, codeHash: Uint8Array, current: Account | undefined, codes: Map<string, Uint8Array>): Promise<void> {
  if (!equalsBytes(codeHash, KECCAK256_NULL) && !(current && equalsBytes(current.codeHash, codeHash))) {
    const code = codes.get(keyHex(codeHash));
    if (!code) throw new Error(`code ${bytesToHex(codeHash)} of ${address} is missing from the code store`);
    await target.putCode(address, code);
  } else if (equalsBytes(codeHash, KECCAK256_NULL) && current && !equalsBytes(current.codeHash, KECCAK256_NULL)) {
    // An EIP-7702 delegation cleared: a target caching code by address must forget it.
    await target.putCode(address, new Uint8Array());
  }
}

/** The members of MerkleStateManager (protected in @ethereumjs/statemanager 10) a batched commit uses. */
interface MerkleInternals {
  _trie: MerklePatriciaTrie;
  _caches?: unknown;
  _getStorageTrie(address: Address, account?: Account): MerklePatriciaTrie;
}

/** `target` as a MerkleStateManager whose writes go straight into tries that {@link updateTrie} can batch. */
function batchable(target: StateManagerInterface): (MerkleStateManager & MerkleInternals) | undefined {
  if (!(target instanceof MerkleStateManager)) return undefined;
  const t = target as unknown as MerkleStateManager & MerkleInternals;
  return t._caches === undefined && typeof t._getStorageTrie === 'function' && t._trie !== undefined && canBatch(t._trie) ? t : undefined;
}

/**
 * The batched form of a whole block's commit: code and cleared storages as before (rare), each
 * contract's slots into its storage trie in one batch, then every account — its final fields,
 * the storage root just computed — into the account trie in one batch.
 */
async function applyBatched(
  target: MerkleStateManager & MerkleInternals,
  accounts: Map<string, AccountValue | null>,
  slots: Map<string, Slots>,
  codes: Map<string, Uint8Array>,
  known: (a: string, value: AccountValue) => boolean,
): Promise<void> {
  const ops: [Uint8Array, Uint8Array | null][] = [];
  for (const [a, value] of accounts) {
    const address = addr(a);
    if (value === null) {
      ops.push([address.bytes, null]);
      continue;
    }
    if (known(a, value)) {
      ops.push([address.bytes, new Account(value.nonce, value.balance, value.storageRoot, value.codeHash).serialize()]);
      continue;
    }
    const current = await target.getAccount(address);
    await putCodeOf(target, address, value.codeHash, current, codes);
    const list = slots.get(a);
    const storageRoot = list ? await writeStorage(target, address, current, list) : (current?.storageRoot ?? KECCAK256_RLP);
    ops.push([address.bytes, new Account(value.nonce, value.balance, storageRoot, value.codeHash).serialize()]);
  }
  // Contracts whose slots changed while their account fields did not.
  for (const [a, list] of slots) {
    if (accounts.has(a)) continue;
    const address = addr(a);
    const current = await target.getAccount(address);
    if (!current) throw new Error(`storage of ${address} written, an account the target does not hold`);
    current.storageRoot = await writeStorage(target, address, current, list);
    ops.push([address.bytes, current.serialize()]);
  }
  await updateTrie(target._trie, ops);
}

/** Writes an account's slots into its storage trie (the one the manager itself would use) in one batch; its new root. */
async function writeStorage(target: MerkleInternals, address: Address, account: Account | undefined, slots: Slots): Promise<Uint8Array> {
  const trie = target._getStorageTrie(address, account);
  await updateTrie(trie, storageEntries(slots));
  return trie.root();
}

/** Slots as a storage trie holds them: the value's RLP without leading zeros; zero deletes. */
function storageEntries(slots: Slots): [Uint8Array, Uint8Array | null][] {
  return slots.map(([slot, value]) => {
    const v = unpadBytes(value);
    return [slot, v.length ? RLP.encode(v) : null];
  });
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
 * for one final storage root. There, the slots go into the storage trie in one change (one batch,
 * {@link updateTrie}, where the trie allows) through the manager's own `_modifyContractStorage`
 * (protected in @ethereumjs/statemanager 10: the step its putStorage and clearStorage use), so the
 * account is read and written once; any other target, or one with a storage cache (whose
 * putStorage is cheap), gets putStorage per slot.
 */
async function putStorageOf(target: StateManagerInterface, address: Address, slots: Slots): Promise<void> {
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
        if (canBatch(trie)) await updateTrie(trie, storageEntries(slots));
        else for (const [slot, value] of storageEntries(slots)) await (value ? trie.put(slot, value) : trie.del(slot));
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
