import type { AccountFields, StateManagerInterface } from '@ethereumjs/common';
import { OriginalStorageCache } from '@ethereumjs/statemanager';
import { Account, Address, bytesToHex, equalsBytes, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { resolve, type BaseReader, type MVMemory, type WriteSet } from './mv-memory.js';
import { satisfiesLazy, type LazyRead, type ReadRecord, type SenderTerms } from './read-set.js';
import { accountKey, clearKey, isAccountKey, keyHex, storageKey, storagePrefix, type AccountKey, type StateKey } from './state-key.js';
import { hasNoCode, isAccount, unpad, type AccountDelta, type AccountValue, type StateValue } from './state-value.js';

/** Fetches code by hash; `address` names an account of the pre-state that holds it. */
export type CodeReader = (address: string, codeHash: string) => Promise<Uint8Array>;

/**
 * The state one transaction incarnation executes against, inside a worker: ethereumjs's `runTx`
 * sees an ordinary state manager. Reads fall through the transaction's own journaled writes to the
 * multi-version memory replica (writes of lower transactions) and then to the pre-block state,
 * and are recorded with the value seen; writes stay in the journal and become the write set.
 *
 * Three accounts are read lazily, so that transactions touching the same account commute: the
 * fee recipient, when the first access to it is `runTx`'s fee payment (after the EVM call
 * returned); the transaction's recipient, when it has no code (a plain value transfer: nothing
 * runs there); and the sender of such a transfer, whose nonce and balance runTx only checks and
 * adjusts. Such a read is recorded as a predicate (see {@link LazyRead}) instead of a value, and
 * the change becomes a delta. Anything a delta cannot express turns the read back into an exact
 * one (of the value this incarnation actually used).
 */
export class ViewStateManager implements StateManagerInterface {
  readonly originalStorageCache: OriginalStorageCache;
  private tx = 0;
  private coinbaseKey = accountKey('');
  /** Empty for a creation or a self-transfer (no lazy recipient). */
  private recipientKey: AccountKey | '' = '';
  private senderKey = accountKey('');
  private senderTerms: SenderTerms | undefined;
  private writes = new Map<StateKey, StateValue>();
  private codes = new Map<string, Uint8Array>();
  private journal: Map<StateKey, StateValue | undefined>[] = [];
  private reads = new Map<StateKey, StateValue>();
  private lazy = new Map<StateKey, { seen: AccountValue; kind: LazyRead }>();
  private postExecution = false;

  constructor(
    private readonly mv: MVMemory,
    private readonly base: BaseReader,
    private readonly code: CodeReader,
  ) {
    this.originalStorageCache = new OriginalStorageCache(this.getStorage.bind(this));
  }

  /**
   * Starts a fresh incarnation of transaction `tx` from `sender` to `to` (absent for a creation).
   * A self-transfer's recipient is its sender, whose value runTx checks: never lazy as a recipient.
   * `senderTerms`: the nonce and balance runTx will require of the sender, for a lazy sender read.
   */
  begin(tx: number, coinbase: Uint8Array, sender: Uint8Array, to?: Uint8Array, senderTerms?: SenderTerms): void {
    this.tx = tx;
    this.coinbaseKey = accountKey(keyHex(coinbase));
    this.recipientKey = to && !equalsBytes(to, sender) ? accountKey(keyHex(to)) : '';
    this.senderKey = accountKey(keyHex(sender));
    this.senderTerms = to ? senderTerms : undefined;
    this.writes = new Map();
    this.codes = new Map();
    this.journal = [];
    this.reads = new Map();
    this.lazy = new Map();
    this.postExecution = false;
    this.originalStorageCache.clear();
  }

  /** Called when the EVM call of the transaction has returned: what follows is fee accounting. */
  markPostExecution(): void {
    this.postExecution = true;
  }

  /** The read set; lazy reads appear with their predicate. */
  readSet(): ReadRecord[] {
    const out: ReadRecord[] = [...this.reads];
    for (const [key, { kind }] of this.lazy) out.push([key, kind]);
    return out;
  }

  /** The write set of this incarnation. */
  writeSet(): WriteSet {
    const values: [StateKey, StateValue][] = [];
    const deltas: [AccountKey, AccountDelta][] = [];
    for (const [key, value] of this.writes) {
      const lazy = this.lazy.get(key);
      if (lazy && isAccountKey(key)) {
        const v = value as AccountValue;
        deltas.push([key, { balance: v.balance - lazy.seen.balance, nonce: v.nonce - lazy.seen.nonce }]);
      } else {
        values.push([key, value]);
      }
    }
    return { values, deltas, codes: [...this.codes] };
  }

  private async read(key: StateKey): Promise<StateValue> {
    if (this.writes.has(key)) return this.writes.get(key)!;
    if (this.reads.has(key)) return this.reads.get(key)!;
    const lazy = this.lazy.get(key);
    if (lazy) return { ...lazy.seen };
    const value = await resolve(this.mv, key, this.tx, this.base);
    if (key === this.recipientKey && !this.postExecution && !hasNoCode(value)) this.senderExact();
    if (key === this.senderKey && this.senderTerms && !this.postExecution) {
      // Serve the nonce runTx requires: if the sender really has it (checked at commit), the run is exact.
      const served = isAccount(value) ? { ...value, nonce: this.senderTerms.nonce } : value;
      if (satisfiesLazy(this.senderTerms, served)) {
        this.lazy.set(key, { seen: served as AccountValue, kind: this.senderTerms });
        return { ...(served as AccountValue) };
      }
    }
    const kind: LazyRead | undefined =
      key === this.recipientKey && !this.postExecution ? 'funded-eoa' : key === this.coinbaseKey && this.postExecution ? 'funded' : undefined;
    if (kind && satisfiesLazy(kind, value)) {
      this.lazy.set(key, { seen: value as AccountValue, kind });
      return { ...(value as AccountValue) };
    }
    this.reads.set(key, value);
    return value;
  }

  /** The recipient has code, which may look at the sender: the sender's read becomes exact. */
  private senderExact(): void {
    const lazy = this.lazy.get(this.senderKey);
    if (lazy && typeof lazy.kind === 'object') {
      this.reads.set(this.senderKey, lazy.seen);
      this.lazy.delete(this.senderKey);
    }
  }

  private write(key: StateKey, value: StateValue): void {
    const lazy = this.lazy.get(key);
    if (lazy && !compatible(lazy.kind, lazy.seen, value)) {
      // The account changed in a way a delta cannot express: make the read exact.
      this.reads.set(key, lazy.seen);
      this.lazy.delete(key);
    }
    const top = this.journal[this.journal.length - 1];
    if (top && !top.has(key)) top.set(key, this.writes.get(key));
    this.writes.set(key, value);
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const v = (await this.read(accountKey(keyHex(address.bytes)))) as AccountValue | null;
    return v ? new Account(v.nonce, v.balance, v.storageRoot, v.codeHash) : undefined;
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address);
    this.write(accountKey(keyHex(address.bytes)), {
      nonce: account.nonce,
      balance: account.balance,
      codeHash: account.codeHash,
      storageRoot: account.storageRoot,
    });
  }

  async deleteAccount(address: Address): Promise<void> {
    const a = keyHex(address.bytes);
    this.write(accountKey(a), null);
    this.dropStorage(a);
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account();
    account.nonce = fields.nonce ?? account.nonce;
    account.balance = fields.balance ?? account.balance;
    account.storageRoot = fields.storageRoot ?? account.storageRoot;
    account.codeHash = fields.codeHash ?? account.codeHash;
    await this.putAccount(address, account);
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const codeHash = keccak_256(value);
    this.codes.set(bytesToHex(codeHash).slice(2), value);
    await this.modifyAccountFields(address, { codeHash });
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const account = await this.getAccount(address);
    if (!account || equalsBytes(account.codeHash, KECCAK256_NULL)) return new Uint8Array();
    const h = keyHex(account.codeHash);
    return this.codes.get(h) ?? this.code(keyHex(address.bytes), h);
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    if (key.length !== 32) throw new Error('Storage key must be 32 bytes long');
    const a = keyHex(address.bytes);
    if (!(await this.getAccount(address))) return new Uint8Array();
    const k = storageKey(a, keyHex(key));
    if (this.writes.has(k)) return this.writes.get(k) as Uint8Array;
    if (this.writes.get(clearKey(a)) === true) return new Uint8Array();
    return (await this.read(k)) as Uint8Array;
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    if (key.length !== 32) throw new Error('Storage key must be 32 bytes long');
    if (!(await this.getAccount(address))) throw new Error('putStorage() called on non-existing account');
    this.write(storageKey(keyHex(address.bytes), keyHex(key)), unpad(value));
  }

  async clearStorage(address: Address): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account();
    account.storageRoot = KECCAK256_RLP;
    await this.putAccount(address, account);
    this.dropStorage(keyHex(address.bytes));
  }

  /** Storage of `a` is gone: mark the clear and forget this incarnation's own slot writes. */
  private dropStorage(a: string): void {
    this.write(clearKey(a), true);
    const prefix = storagePrefix(a);
    for (const key of [...this.writes.keys()]) {
      if (key.startsWith(prefix)) {
        const top = this.journal[this.journal.length - 1];
        if (top && !top.has(key)) top.set(key, this.writes.get(key));
        this.writes.delete(key);
      }
    }
  }

  async checkpoint(): Promise<void> {
    this.journal.push(new Map());
  }

  async commit(): Promise<void> {
    const top = this.journal.pop()!;
    const parent = this.journal[this.journal.length - 1];
    if (parent) for (const [k, v] of top) if (!parent.has(k)) parent.set(k, v);
    if (this.journal.length === 0) this.originalStorageCache.clear();
  }

  async revert(): Promise<void> {
    const top = this.journal.pop()!;
    for (const [k, v] of top) {
      if (v === undefined) this.writes.delete(k);
      else this.writes.set(k, v);
    }
    if (this.journal.length === 0) this.originalStorageCache.clear();
  }

  /** Pre-Byzantium receipts carry a state root; the main thread computes it on commit. */
  async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32);
  }
  async setStateRoot(): Promise<void> {
    throw new Error('ViewStateManager: setStateRoot is not supported');
  }
  async hasStateRoot(): Promise<boolean> {
    throw new Error('ViewStateManager: hasStateRoot is not supported');
  }
  clearCaches(): void {}
  shallowCopy(): StateManagerInterface {
    throw new Error('ViewStateManager: shallowCopy is not supported');
  }
}

/**
 * A write a delta expresses: the account still exists with the same code; a credited account
 * (fee recipient, transfer recipient) only gained balance; a sender may also pay and bump its nonce.
 */
function compatible(kind: LazyRead, seen: AccountValue, value: StateValue): boolean {
  if (!isAccount(value) || !equalsBytes(value.codeHash, seen.codeHash)) return false;
  return typeof kind === 'object' || (value.nonce === seen.nonce && value.balance >= seen.balance);
}
