import type { StateManagerInterface } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { Address, bytesToHex, hexToBytes, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { PreState, PreStateAccount } from './fixture.js';
import { keyHex, parseKey, type StateKey } from './state-key.js';
import { unpad, type AccountValue, type StateValue } from './state-value.js';
import { quantityBytes, slotKey } from './pre-state.js';

/**
 * The pre-block state the executor reads from. Reads are by address (and slot), async, and must
 * answer for the state before the block (a source whose backing store receives the block's commits
 * while it runs is also fine: every read is validated against the multi-version memory, so a value
 * a lower transaction already changed is caught). A node's database fits behind this interface.
 */
export interface StateSource {
  /** The account, or undefined where it does not exist. */
  getAccount(address: Uint8Array): Promise<AccountValue | undefined>;
  /** The code of the account at `address` (empty when none). */
  getCode(address: Uint8Array): Promise<Uint8Array>;
  /** The storage value, unpadded (empty for zero). */
  getStorage(address: Uint8Array, slot: Uint8Array): Promise<Uint8Array>;
  /** The hash of an ancestor block, for BLOCKHASH. */
  getBlockHash(number: bigint): Promise<Uint8Array>;
  /**
   * A structured-clonable copy that worker threads can hold and read without asking the main
   * thread; offered by in-memory sources only.
   */
  snapshot?(): SourceSnapshot;
}

/** What an in-memory source hands to workers. */
export interface SourceSnapshot {
  preState: PreState;
  blockHashes: Record<string, string>;
}

/** Reads a key of the multi-version memory's key space from a source. */
export async function readSourceKey(source: StateSource, key: StateKey): Promise<StateValue> {
  const k = parseKey(key);
  const addr = hexToBytes(`0x${k.address}`);
  switch (k.kind) {
    case 'account':
      return (await source.getAccount(addr)) ?? null;
    case 'storage':
      return source.getStorage(addr, hexToBytes(`0x${k.slot}`));
    case 'clear':
      throw new Error(`no pre-state for key ${key}: a clear marker exists only as a write`);
  }
}

/**
 * The pre-state of a block fixture, in memory (also what each worker builds from a snapshot).
 * Accounts are decoded on first use: a block touches a fraction of what a worker could be asked.
 */
export class InMemoryStateSource implements StateSource {
  private readonly raw = new Map<string, PreStateAccount>();
  private readonly decoded = new Map<string, { value: AccountValue; code: Uint8Array; storage: Map<string, Uint8Array> } | null>();
  private readonly hashes = new Map<bigint, Uint8Array>();

  constructor(private readonly snap: SourceSnapshot) {
    for (const [addr, a] of Object.entries(snap.preState)) this.raw.set(addr.toLowerCase().slice(2), a);
    for (const [n, h] of Object.entries(snap.blockHashes)) this.hashes.set(BigInt(n), hexToBytes(h as `0x${string}`));
  }

  private account(addr: string) {
    let d = this.decoded.get(addr);
    if (d !== undefined) return d;
    const a = this.raw.get(addr);
    d = null;
    if (a) {
      const code = a.code && a.code !== '0x' ? hexToBytes(a.code as `0x${string}`) : new Uint8Array();
      const storage = new Map<string, Uint8Array>();
      for (const [slot, v] of Object.entries(a.storage)) {
        const value = unpad(quantityBytes(v));
        if (value.length) storage.set(bytesToHex(slotKey(slot)).slice(2), value);
      }
      d = {
        value: {
          nonce: BigInt(a.nonce),
          balance: BigInt(a.balance),
          codeHash: code.length ? keccak_256(code) : KECCAK256_NULL,
          // Only emptiness matters to execution (EIP-7610); the target state manager keeps the real root.
          storageRoot: storage.size ? NON_EMPTY_ROOT : KECCAK256_RLP,
        },
        code,
        storage,
      };
    }
    this.decoded.set(addr, d);
    return d;
  }

  async getAccount(address: Uint8Array): Promise<AccountValue | undefined> {
    const a = this.account(keyHex(address));
    return a ? { ...a.value } : undefined;
  }
  async getCode(address: Uint8Array): Promise<Uint8Array> {
    return this.account(keyHex(address))?.code ?? new Uint8Array();
  }
  async getStorage(address: Uint8Array, slot: Uint8Array): Promise<Uint8Array> {
    return this.account(keyHex(address))?.storage.get(keyHex(slot)) ?? new Uint8Array();
  }
  async getBlockHash(number: bigint): Promise<Uint8Array> {
    const h = this.hashes.get(number);
    if (!h) throw new Error(`BLOCKHASH(${number}): the block hash is not in the pre-state`);
    return h;
  }
  snapshot(): SourceSnapshot {
    return this.snap;
  }
}

/** A source over an ethereumjs state manager (and its blockchain for BLOCKHASH). */
export class StateManagerSource implements StateSource {
  constructor(
    private readonly sm: StateManagerInterface,
    private readonly blockchain?: EVMMockBlockchainInterface,
  ) {}
  async getAccount(address: Uint8Array): Promise<AccountValue | undefined> {
    const a = await this.sm.getAccount(new Address(address));
    return a && { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash, storageRoot: a.storageRoot };
  }
  getCode(address: Uint8Array): Promise<Uint8Array> {
    return this.sm.getCode(new Address(address));
  }
  async getStorage(address: Uint8Array, slot: Uint8Array): Promise<Uint8Array> {
    return unpad(await this.sm.getStorage(new Address(address), slot));
  }
  async getBlockHash(number: bigint): Promise<Uint8Array> {
    if (!this.blockchain) throw new Error(`BLOCKHASH(${number}): no blockchain behind this state source`);
    return (await this.blockchain.getBlock(Number(number))).hash();
  }
}

/** Marks a non-empty storage trie whose real root the source does not know. */
const NON_EMPTY_ROOT = new Uint8Array(32).fill(0xff);
