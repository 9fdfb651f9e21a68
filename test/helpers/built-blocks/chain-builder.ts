/**
 * Builds test blocks for hardforks no bundled mainnet block covers (Prague, Osaka, the blob-parameter
 * forks, the DAO fork), with @ethereumjs/vm's own block builder on a mainnet Common, from fixed keys,
 * and turns each into a fixture: the whole world state before it, the block as JSON-RPC, the hashes
 * BLOCKHASH asked for, and what plain runBlock produces from that state (checked against the header).
 */
import { createBlock, createBlockFromRLP, genTransactionsTrieRoot, paramsBlock, type Block, type HeaderData } from '@ethereumjs/block';
import { Common, Mainnet, type CustomCrypto } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import {
  createBlob4844Tx,
  createEOACode7702Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  type TypedTransaction,
} from '@ethereumjs/tx';
import {
  bigIntToHex,
  bytesToBigInt,
  bytesToHex,
  createAddressFromPrivateKey,
  createAddressFromString,
  eoaCode7702SignAuthorization,
  equalsBytes,
  hexToBytes,
  setLengthLeft,
  type EOACode7702AuthorizationListBytesItem,
  type PrefixedHexString,
  type WithdrawalData,
} from '@ethereumjs/util';
import { buildBlock, createVM, runBlock, type RunBlockResult, type RunTxResult, type VM } from '@ethereumjs/vm';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { blockFromRpc, loadKzgOnce } from '../../../src/evm/chain.js';
import type { BlockFixture, PreState, RpcBlock } from '../../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../../src/evm/pre-state.js';

const EMPTY_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
export const GWEI = 1_000_000_000n;
export const ETHER = 10n ** 18n;

/** A deterministic private key: keccak of a label. */
export function key(label: string): Uint8Array {
  return keccak_256(new TextEncoder().encode(`built-blocks ${label}`));
}

export function addressOf(k: Uint8Array): PrefixedHexString {
  return createAddressFromPrivateKey(k).toString();
}

/** A hash standing in for a block before the first built one. */
export function ancestorHash(n: bigint): Uint8Array {
  return keccak_256(new TextEncoder().encode(`built ancestor ${n}`));
}

/** What a block of the chain is made of. */
export interface BlockSpec {
  /** File label: the fixture is written as `<number>-<label>.json.gz`. */
  label: string;
  timestamp: bigint;
  txs: (f: TxFactory) => TypedTransaction[] | Promise<TypedTransaction[]>;
  withdrawals?: WithdrawalData[];
  /**
   * Make the block with runBlock's `generate` instead of the block builder, which does not apply
   * the DAO fork's irregular state change.
   */
  generate?: boolean;
}

/** A built block: its fixture and the results plain runBlock gave for it. */
export interface BuiltBlock {
  name: string;
  fixture: BlockFixture;
  result: RunBlockResult;
}

interface TxFields {
  to?: PrefixedHexString;
  value?: bigint;
  data?: Uint8Array;
  gasLimit?: bigint;
}

/**
 * Signs the transactions of the block being built, with the block's Common and each key's next
 * nonce (counted from the state before the block, so a key can send several in one block).
 */
export class TxFactory {
  private readonly nonces = new Map<string, bigint>();
  /** Transactions meant to fail (status 0); every other one must succeed. */
  readonly failing = new Set<string>();
  constructor(
    private readonly chain: ChainBuilder,
    readonly common: Common,
    readonly number: bigint,
    readonly timestamp: bigint,
  ) {}

  /** Marks `tx` as one meant to fail. */
  fails(tx: TypedTransaction): TypedTransaction {
    this.failing.add(bytesToHex(tx.hash()));
    return tx;
  }

  /** The nonce the next transaction from `k` takes. */
  async nonceOf(k: Uint8Array): Promise<bigint> {
    const a = addressOf(k);
    let n = this.nonces.get(a);
    if (n === undefined) n = (await this.chain.vm.stateManager.getAccount(createAddressFromString(a)))?.nonce ?? 0n;
    return n;
  }

  /** Accounts the transactions touch beyond sender and recipient (token holders, call targets). */
  track(...addresses: string[]): void {
    this.chain.track(...addresses);
  }

  /** A valid authorization by `k` is applied in this block: `k`'s next transaction takes the following nonce. */
  async bumpNonce(k: Uint8Array): Promise<void> {
    this.nonces.set(addressOf(k), (await this.nonceOf(k)) + 1n);
  }

  private async take(k: Uint8Array): Promise<bigint> {
    const n = await this.nonceOf(k);
    this.nonces.set(addressOf(k), n + 1n);
    this.chain.track(addressOf(k));
    return n;
  }

  private fees() {
    return { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2n * GWEI, chainId: this.common.chainId() };
  }

  async tx(k: Uint8Array, f: TxFields): Promise<TypedTransaction> {
    if (f.to) this.chain.track(f.to);
    const tx = createFeeMarket1559Tx(
      { nonce: await this.take(k), to: f.to, value: f.value ?? 0n, data: f.data ?? new Uint8Array(), gasLimit: f.gasLimit ?? 200_000n, ...this.fees() },
      { common: this.common },
    );
    return tx.sign(k);
  }

  /** A pre-EIP-155 legacy transaction (Frontier and Homestead blocks). */
  async legacy(k: Uint8Array, f: TxFields & { gasPrice: bigint }): Promise<TypedTransaction> {
    if (f.to) this.chain.track(f.to);
    const tx = createLegacyTx(
      { nonce: await this.take(k), to: f.to, value: f.value ?? 0n, data: f.data ?? new Uint8Array(), gasLimit: f.gasLimit ?? 100_000n, gasPrice: f.gasPrice },
      { common: this.common },
    );
    return tx.sign(k);
  }

  /** An EIP-4844 transaction carrying `hashes` as its blob versioned hashes (the block holds no blobs). */
  async blob(k: Uint8Array, hashes: Uint8Array[], f: TxFields = {}): Promise<TypedTransaction> {
    const to = f.to ?? addressOf(key('blob sink'));
    this.chain.track(to);
    const tx = createBlob4844Tx(
      {
        nonce: await this.take(k),
        to,
        value: f.value ?? 0n,
        data: f.data ?? new Uint8Array(),
        gasLimit: f.gasLimit ?? 60_000n,
        maxFeePerBlobGas: 10n * GWEI,
        blobVersionedHashes: hashes,
        ...this.fees(),
      },
      { common: this.common },
    );
    return tx.sign(k);
  }

  /** An EIP-7702 set-code transaction. */
  async setCode(k: Uint8Array, authorizationList: EOACode7702AuthorizationListBytesItem[], f: TxFields = {}): Promise<TypedTransaction> {
    const to = f.to ?? addressOf(k);
    this.chain.track(to);
    const tx = createEOACode7702Tx(
      { nonce: await this.take(k), to, value: f.value ?? 0n, data: f.data ?? new Uint8Array(), gasLimit: f.gasLimit ?? 400_000n, authorizationList, ...this.fees() },
      { common: this.common },
    );
    return tx.sign(k);
  }

  /** An EIP-7702 authorization by `k`: delegate to `address` (the zero address clears), at `nonce`. */
  auth(k: Uint8Array, address: PrefixedHexString, nonce: bigint, chainId: bigint = this.common.chainId()): EOACode7702AuthorizationListBytesItem {
    this.chain.track(addressOf(k), address);
    return eoaCode7702SignAuthorization({ chainId: bigIntToHex(chainId), address, nonce: bigIntToHex(nonce) }, k);
  }
}

/** One built chain: a VM carried from block to block, on mainnet's Common (hardfork by number and timestamp). */
export class ChainBuilder {
  readonly addresses = new Set<string>();
  private readonly slotPreimages = new Map<string, string>();
  private readonly hashes = new Map<bigint, Uint8Array>();
  private requestedHashes = new Set<bigint>();
  private parent: Block;

  private constructor(
    public vm: VM,
    private readonly kzg: NonNullable<CustomCrypto['kzg']>,
    private readonly blockchain: EVMMockBlockchainInterface,
    parent: Block,
  ) {
    this.parent = parent;
    this.hashes.set(parent.header.number, parent.hash());
    for (let i = 0n; i < 2n * 8191n + 8n; i++) this.slot(setLengthLeft(hexToBytes(bigIntToHex(i)), 32));
  }

  /**
   * A chain whose first block follows a parent made up from `parent` (its own parent and older
   * ancestors get stand-in hashes), over the state `alloc`.
   */
  static async create(parent: { number: bigint; timestamp: bigint; gasLimit: bigint; baseFeePerGas?: bigint; excessBlobGas?: bigint; blobGasUsed?: bigint }, alloc: PreState): Promise<ChainBuilder> {
    const kzg = await loadKzgOnce();
    const common = mainnet(kzg, parent.number, parent.timestamp);
    const stateManager = await stateManagerFromPreState(alloc);
    const blockchain: EVMMockBlockchainInterface = {
      getBlock: async (n: number) => {
        const hash = chain.blockHash(BigInt(n));
        return { hash: () => hash };
      },
      putBlock: async (b: Block) => void chain.hashes.set(b.header.number, b.hash()),
      shallowCopy() {
        return this;
      },
    } as unknown as EVMMockBlockchainInterface;
    const vm = await createVM({ common, stateManager, blockchain });
    const parentBlock = createBlock(
      {
        header: {
          number: parent.number,
          timestamp: parent.timestamp,
          gasLimit: parent.gasLimit,
          parentHash: ancestorHash(parent.number - 1n),
          ...(common.isActivatedEIP(1559) && { baseFeePerGas: parent.baseFeePerGas ?? GWEI }),
          ...(common.isActivatedEIP(4844) && { excessBlobGas: parent.excessBlobGas ?? 0n, blobGasUsed: parent.blobGasUsed ?? 0n }),
          ...(common.isActivatedEIP(4788) && { parentBeaconBlockRoot: ancestorHash(parent.number * 1000n) }),
        },
      },
      { common },
    );
    const chain: ChainBuilder = new ChainBuilder(vm, kzg, blockchain, parentBlock);
    for (const a of Object.keys(alloc)) chain.track(a);
    return chain;
  }

  /** Accounts to include in the next pre-state dumps (every account a block may create or touch). */
  track(...addresses: string[]): void {
    for (const a of addresses) {
      const lower = a.toLowerCase();
      this.addresses.add(lower);
      this.slot(setLengthLeft(hexToBytes(lower as PrefixedHexString), 32));
    }
  }

  /** A storage slot the dumps can name (storage tries key slots by their hash). */
  slot(slot: Uint8Array): void {
    this.slotPreimages.set(bytesToHex(keccak_256(slot)), bigIntToHex(bytesToBigInt(slot)));
  }

  /** BLOCKHASH as the chain's blockchain answers it, remembering the numbers asked for the fixture. */
  private blockHash(n: bigint): Uint8Array {
    this.requestedHashes.add(n);
    return this.knownHash(n);
  }

  private knownHash(n: bigint): Uint8Array {
    return this.hashes.get(n) ?? ancestorHash(n);
  }

  /** Builds the next block; the chain moves on to it. */
  async build(spec: BlockSpec): Promise<BuiltBlock> {
    const number = this.parent.header.number + 1n;
    const common = mainnet(this.kzg, number, spec.timestamp);
    // A fresh VM per block on the same state: an ethereumjs EVM made before Prague and moved across
    // the fork by setHardfork has the BLS12-381 precompiles active but no BLS backend behind them.
    this.vm = await createVM({ common: mainnet(this.kzg, number, spec.timestamp), stateManager: this.vm.stateManager, blockchain: this.blockchain });
    const preState = await this.dump();
    this.requestedHashes = new Set();
    const factory = new TxFactory(this, common, number, spec.timestamp);
    const txs = await spec.txs(factory);
    for (const w of spec.withdrawals ?? []) this.track(w.address.toString());
    const coinbase = addressOf(key('fee recipient'));
    this.track(coinbase, '0xfffffffffffffffffffffffffffffffffffffffe');
    const headerData = {
      number,
      timestamp: spec.timestamp,
      coinbase,
      gasLimit: 60_000_000n,
      ...(common.isActivatedEIP(4788) && { parentBeaconBlockRoot: ancestorHash(number * 1000n) }),
      // The builder would compute this with the VM's Common, which lacks the block parameters EIP-7918 needs.
      ...(common.isActivatedEIP(4844) && { excessBlobGas: this.parent.header.calcNextExcessBlobGas(withBlockParams(common)) }),
      ...(common.consensusType() === 'pos' ? { mixHash: ancestorHash(number * 7n) } : { difficulty: 62_413_376_722_602n }),
      // The ten blocks from the DAO fork on must say so (ethereumjs checks it as mainnet clients did).
      ...(isDaoExtraDataRange(common, number) && { extraData: new TextEncoder().encode('dao-hard-fork') }),
    };
    const withdrawals = common.isActivatedEIP(4895) ? (spec.withdrawals ?? []) : undefined;
    const { built, requests, outcomes } = spec.generate
      ? await this.generate(common, { ...headerData, parentHash: this.parent.hash() }, txs, withdrawals)
      : await this.buildWith(common, headerData, txs, withdrawals);
    for (const [i, r] of outcomes.entries()) {
      if (r.createdAddress) this.track(r.createdAddress.toString());
      const failed = r.execResult.exceptionError !== undefined;
      if (failed !== factory.failing.has(bytesToHex(txs[i]!.hash()))) {
        throw new Error(`${spec.label}: transaction ${i} ${failed ? `failed (${r.execResult.exceptionError?.error})` : 'succeeded'}, not as the scenario intends`);
      }
    }
    const block = createBlockFromRLP(built.serialize(), { common });
    const rpc = toRpc(block);
    const fixture: BlockFixture = {
      number: Number(number),
      source: 'built',
      hardfork: common.hardfork(),
      block: rpc,
      preState,
      blockHashes: Object.fromEntries([...this.requestedHashes].sort((a, b) => Number(a - b)).map((n) => [n.toString(), bytesToHex(this.knownHash(n))])),
      ...(common.isActivatedEIP(4844) && { blobSchedule: blobSchedule(common) }),
      ...(requests && { requests: requests.map((r) => bytesToHex(r.bytes)) }),
    };
    let result: RunBlockResult;
    try {
      result = await runPlain(fixture);
    } catch (e) {
      const g = await runPlain(fixture, true);
      const diff = g.results.flatMap((r, i) => {
        const o = outcomes[i]!;
        return r.totalGasSpent !== o.totalGasSpent || (r.execResult.exceptionError?.error ?? '') !== (o.execResult.exceptionError?.error ?? '')
          ? [`tx ${i}: runBlock ${r.totalGasSpent} ${r.execResult.exceptionError?.error ?? 'ok'}, builder ${o.totalGasSpent} ${o.execResult.exceptionError?.error ?? 'ok'}`]
          : [];
      });
      throw new Error(`${spec.label}: ${e instanceof Error ? e.message : String(e)}\n${diff.join('\n')}`);
    }
    fixture.expected = {
      stateRoot: bytesToHex(result.stateRoot),
      receiptsRoot: bytesToHex(result.receiptsRoot),
      logsBloom: bytesToHex(result.logsBloom),
      gasUsed: result.gasUsed.toString(),
      ...(result.requestsHash && { requestsHash: bytesToHex(result.requestsHash) }),
    };
    if (!equalsBytes(result.stateRoot, await this.vm.stateManager.getStateRoot())) {
      throw new Error(`${spec.label}: runBlock's state root differs from the builder's`);
    }
    this.parent = block;
    return { name: `${number}-${spec.label}`, fixture, result };
  }

  /** The block builder's way: each transaction run as it is added, requests gathered at the end. */
  private async buildWith(common: Common, headerData: HeaderData, txs: TypedTransaction[], withdrawals?: WithdrawalData[]) {
    const builder = await buildBlock(this.vm, {
      parentBlock: this.parent,
      headerData,
      ...(withdrawals && { withdrawals }),
      blockOpts: { putBlockIntoBlockchain: true },
    });
    const outcomes: RunTxResult[] = [];
    for (const tx of txs) outcomes.push(await builder.addTransaction(tx, { allowNoBlobs: true }));
    const { block, requests } = await builder.build();
    return { built: block, requests, outcomes };
  }

  /** runBlock's `generate`: the whole block run as runBlock runs it (DAO change included), header filled in from it. */
  private async generate(common: Common, headerData: HeaderData, txs: TypedTransaction[], withdrawals?: WithdrawalData[]) {
    const draft = createBlock({ header: headerData, transactions: txs, ...(withdrawals && { withdrawals }) }, { common });
    const r = await runBlock(this.vm, { block: draft, generate: true, skipBlockValidation: true, skipHeaderValidation: true });
    const header = {
      ...headerData,
      stateRoot: r.stateRoot,
      receiptTrie: r.receiptsRoot,
      logsBloom: r.logsBloom,
      gasUsed: r.gasUsed,
      transactionsTrie: await genTransactionsTrieRoot(txs, new MerklePatriciaTrie({ common })),
      ...(r.requestsHash && { requestsHash: r.requestsHash }),
    };
    const built = createBlock({ header, transactions: txs, ...(withdrawals && { withdrawals }) }, { common });
    this.hashes.set(built.header.number, built.hash());
    return { built, requests: r.requests, outcomes: r.results };
  }

  /** The world state as a fixture pre-state, checked complete by its state root. */
  private async dump(): Promise<PreState> {
    const sm = this.vm.stateManager as MerkleStateManager;
    const out: PreState = {};
    for (const a of [...this.addresses].sort()) {
      const address = createAddressFromString(a);
      const account = await sm.getAccount(address);
      if (!account) continue;
      const storage: Record<string, string> = {};
      if (bytesToHex(account.storageRoot) !== EMPTY_ROOT) {
        for (const [hashed, rlp] of Object.entries(await sm.dumpStorage(address))) {
          const slot = this.slotPreimages.get(hashed);
          if (!slot) throw new Error(`dump: storage slot with hash ${hashed} of ${a} has no known preimage (register it with slot())`);
          storage[slot] = bytesToHex(RLP.decode(hexToBytes(rlp as PrefixedHexString)) as Uint8Array);
        }
      }
      const code = await sm.getCode(address);
      out[a] = { balance: bigIntToHex(account.balance), nonce: bigIntToHex(account.nonce), code: bytesToHex(code), storage };
    }
    const root = await (await stateManagerFromPreState(out)).getStateRoot();
    if (!equalsBytes(root, await sm.getStateRoot())) {
      throw new Error('dump: the pre-state misses accounts the chain created (track() them): its root differs from the VM state root');
    }
    return out;
  }
}

function mainnet(kzg: NonNullable<CustomCrypto['kzg']>, number: bigint, timestamp: bigint): Common {
  const common = new Common({ chain: Mainnet, customCrypto: { kzg } });
  common.setHardforkBy({ blockNumber: number, timestamp });
  return common;
}

function isDaoExtraDataRange(common: Common, number: bigint): boolean {
  const dao = common.hardforkBlock('dao');
  return dao !== null && number >= dao && number < dao + 10n;
}

function withBlockParams(common: Common): Common {
  const c = common.copy();
  c.updateParams(paramsBlock);
  return c;
}

/** EIP-7840's blob schedule entry for the Common's hardfork. */
export function blobSchedule(blockCommon: Common) {
  const common = withBlockParams(blockCommon);
  const perBlob = common.param('blobGasPerBlob');
  const s = common.getBlobGasSchedule();
  return { target: Number(s.targetBlobGasPerBlock / perBlob), max: Number(s.maxBlobGasPerBlock / perBlob), baseFeeUpdateFraction: Number(s.blobGasPriceUpdateFraction) };
}

/** The block as `eth_getBlockByNumber(n, true)` would return it. */
export function toRpc(block: Block): RpcBlock {
  const h = block.header.toJSON();
  const txs = block.transactions.map((tx) => {
    const { gasLimit, data, ...rest } = tx.toJSON();
    return { ...rest, gas: gasLimit, input: data, hash: bytesToHex(tx.hash()), from: tx.getSenderAddress().toString() };
  });
  const rpc: RpcBlock = {
    number: h.number!,
    hash: bytesToHex(block.hash()),
    parentHash: h.parentHash,
    sha3Uncles: h.uncleHash,
    miner: h.coinbase!,
    stateRoot: h.stateRoot!,
    transactionsRoot: h.transactionsTrie,
    receiptsRoot: h.receiptTrie!,
    logsBloom: h.logsBloom!,
    difficulty: h.difficulty,
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed!,
    timestamp: h.timestamp,
    extraData: h.extraData,
    mixHash: h.mixHash,
    nonce: h.nonce,
    ...(h.baseFeePerGas !== undefined && { baseFeePerGas: h.baseFeePerGas }),
    ...(h.withdrawalsRoot !== undefined && { withdrawalsRoot: h.withdrawalsRoot, withdrawals: block.withdrawals!.map((w) => w.toJSON()) }),
    ...(h.blobGasUsed !== undefined && { blobGasUsed: h.blobGasUsed, excessBlobGas: h.excessBlobGas }),
    ...(h.parentBeaconBlockRoot !== undefined && { parentBeaconBlockRoot: h.parentBeaconBlockRoot }),
    ...(h.requestsHash !== undefined && { requestsHash: h.requestsHash }),
    uncles: [],
    transactions: txs,
  };
  return rpc;
}

/**
 * Plain runBlock on a fixture, validating everything but the header's link to its parent: the
 * fixture's block must decode to the built one, and its roots, bloom, gas and requests hash must
 * be what runBlock computes.
 */
export async function runPlain(fixture: BlockFixture, generate = false): Promise<RunBlockResult> {
  const block = await blockFromRpc(fixture.block);
  if (bytesToHex(block.hash()) !== fixture.block.hash) throw new Error(`block ${fixture.number}: the JSON-RPC form does not decode to the built block`);
  const stateManager = await stateManagerFromPreState(fixture.preState);
  const blockchain = {
    getBlock: async (n: number) => {
      const hash = fixture.blockHashes[String(n)];
      if (!hash) throw new Error(`block ${fixture.number}: BLOCKHASH(${n}) is not in the fixture`);
      return { hash: () => hexToBytes(hash as PrefixedHexString) };
    },
    putBlock: async () => {},
    shallowCopy() {
      return this;
    },
  } as unknown as EVMMockBlockchainInterface;
  const vm = await createVM({ common: block.common.copy(), stateManager, blockchain });
  return runBlock(vm, { block, skipHeaderValidation: true, generate });
}
