/**
 * The built test blocks: what each one exercises. Three chains, each on one VM so consecutive
 * blocks cross the fork boundaries as a node crosses them:
 *  - Cancun → Prague → Prague (mainnet numbers and timestamps around Prague's activation);
 *  - Prague → Osaka → bpo1 → bpo2;
 *  - the DAO fork block 1,920,000.
 * Every transaction's expected status is stated; the builder fails on any surprise.
 */
import { bigIntToBytes, bigIntToHex, bytesToHex, concatBytes, hexToBytes, type PrefixedHexString } from '@ethereumjs/util';
import type { TypedTransaction } from '@ethereumjs/tx';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { PreState } from '../../../src/evm/fixture.js';
import { DAO_ACCOUNTS, DAO_REFUND_CONTRACT } from '../../../src/evm/forks/dao-accounts.js';
import { TOKEN_CODE, tokenTransfer } from '../../../src/evm/synthetic.js';
import { addressOf, ChainBuilder, ETHER, GWEI, key, type BuiltBlock, type TxFactory } from './chain-builder.js';
import {
  BATCH_CALLER,
  batchCalldata,
  BLOCKHASH_PROBE,
  CLZ_PROBE,
  CODE_INSPECTOR,
  consolidationRequest,
  COUNTER_DELEGATE,
  depositCalldata,
  PAYING_DELEGATE,
  word,
  withdrawalRequest,
  type ProbeCall,
} from './contracts.js';
import { DEPOSIT_CONTRACT, depositContractStorage } from './deposit-contract.js';
import { deployCode } from './evm-asm.js';
import { BEACON_ROOTS, CONSOLIDATION_REQUESTS, HISTORY_STORAGE, WITHDRAWAL_REQUESTS, type SystemContract } from './system-contracts.js';
import { p256Calls } from './p256-vectors.js';

/** Mainnet's fork timestamps, as @ethereumjs/common 10.1.3 has them. */
const PRAGUE = 1_746_612_311n;
const OSAKA = 1_764_798_551n;
const BPO1 = 1_765_290_071n;
const BPO2 = 1_767_747_671n;

/** Fixed addresses of the probes and delegation targets in every chain's state. */
export const A = {
  batchCaller: '0x00000000000000000000000000000000000ba7c0',
  blockhashProbe: '0x00000000000000000000000000000000000b10c4',
  clzProbe: '0x0000000000000000000000000000000000000c12',
  counter: '0x000000000000000000000000000000000000c047',
  paying: '0x000000000000000000000000000000000000ba1d',
  inspector: '0x0000000000000000000000000000000000001257',
  token: '0x00000000000000000000000000000000000070c1',
} as const satisfies Record<string, PrefixedHexString>;

const ZERO = '0x0000000000000000000000000000000000000000';

function account(balance: bigint, code?: Uint8Array, storage: Record<string, string> = {}, nonce = 0n) {
  return { balance: bigIntToHex(balance), nonce: bigIntToHex(nonce), code: code ? bytesToHex(code) : '0x', storage };
}

function system(c: SystemContract, storage: Record<string, string> = {}) {
  return [c.address.toLowerCase(), account(0n, c.code, storage, 1n)] as const;
}

/** 2^256 - 1: EIP-7002/7251's excess inhibitor, which their deployment leaves in slot 0 until the first system call. */
const INHIBITOR = bigIntToHex((1n << 256n) - 1n);

/**
 * A funded world with the system contracts, the probes and the delegation targets. The request
 * queues either as deployed (excess inhibitor in slot 0) or as Prague's first system call left them.
 */
function genesisState(opts: { requestQueues: 'deployed' | 'running' }): PreState {
  const queue: Record<string, string> = opts.requestQueues === 'deployed' ? { '0x0': INHIBITOR } : {};
  const funded = [
    'sponsor', 'caller', 'alice', 'bob', 'carol', 'erin', 'frank', 'heidi', 'judy', 'staker', 'validator ops', 'blobber',
    'floor', 'prober', 'deployer', 'big spender',
    ...Array.from({ length: 16 }, (_, i) => `filler ${i}`),
    ...Array.from({ length: 8 }, (_, i) => `holder ${i}`),
  ];
  const state: PreState = Object.fromEntries([
    system(BEACON_ROOTS),
    system(HISTORY_STORAGE),
    system(WITHDRAWAL_REQUESTS, queue),
    system(CONSOLIDATION_REQUESTS, queue),
    [DEPOSIT_CONTRACT.address.toLowerCase(), account(0n, DEPOSIT_CONTRACT.code, depositContractStorage())],
    [A.batchCaller, account(0n, BATCH_CALLER)],
    [A.blockhashProbe, account(0n, BLOCKHASH_PROBE)],
    [A.clzProbe, account(0n, CLZ_PROBE)],
    [A.counter, account(0n, COUNTER_DELEGATE)],
    [A.paying, account(0n, PAYING_DELEGATE)],
    [A.inspector, account(0n, CODE_INSPECTOR)],
    [A.token, account(0n, TOKEN_CODE, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [addressOf(key(`holder ${i}`)), bigIntToHex(1_000_000n)])))],
    ...funded.map((l) => [addressOf(key(l)), account(1000n * ETHER)] as const),
    // An authority that is a contract (not a delegation): its authorizations are skipped.
    [addressOf(key('grace')), account(ETHER, TOKEN_CODE)],
  ]);
  return state;
}

/** Plain transfers and token transfers between distinct accounts: what the parallel executor overlaps. */
async function fillers(f: TxFactory, tag: string, n = 12): Promise<TypedTransaction[]> {
  const out: TypedTransaction[] = [];
  for (let i = 0; i < n; i++) out.push(await f.tx(key(`filler ${i}`), { to: addressOf(key(`sink ${tag} ${i}`)), value: 1000n + BigInt(i), gasLimit: 21_000n }));
  for (let i = 0; i < 8; i++) {
    const to = addressOf(key(`token recipient ${tag} ${i}`));
    f.track(to);
    out.push(await f.tx(key(`holder ${i}`), { to: A.token, data: tokenTransfer(to, 10n + BigInt(i)) }));
  }
  return out;
}

/** `n` blob versioned hashes (version byte 0x01). */
function blobHashes(tag: string, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => concatBytes(Uint8Array.of(1), keccak_256(new TextEncoder().encode(`blob ${tag} ${i}`)).subarray(1)));
}

/** Blob transactions filling a block to `max` blobs, at most `perTx` each. */
async function blobsToMax(f: TxFactory, tag: string, max: number, perTx: number): Promise<TypedTransaction[]> {
  const out: TypedTransaction[] = [];
  for (let left = max, i = 0; left > 0; left -= perTx, i++) out.push(await f.blob(key(`blobber`), blobHashes(`${tag} ${i}`, Math.min(perTx, left))));
  return out;
}

/** A 48-byte stand-in BLS public key. */
function pubkey(label: string): Uint8Array {
  return concatBytes(keccak_256(new TextEncoder().encode(`pubkey ${label}`)), keccak_256(new TextEncoder().encode(`pubkey+ ${label}`)).subarray(0, 16));
}

async function deposit(f: TxFactory, label: string, amount: bigint): Promise<TypedTransaction> {
  const credentials = concatBytes(Uint8Array.of(1), new Uint8Array(11), hexToBytes(addressOf(key('staker'))));
  const signature = concatBytes(...[0, 1, 2].map((i) => keccak_256(new TextEncoder().encode(`signature ${label} ${i}`))));
  return f.tx(key('staker'), { to: DEPOSIT_CONTRACT.address, value: amount, data: depositCalldata(pubkey(label), credentials, signature, amount), gasLimit: 300_000n });
}

async function withdrawalReq(f: TxFactory, label: string, amountGwei: bigint): Promise<TypedTransaction> {
  return f.tx(key('validator ops'), { to: WITHDRAWAL_REQUESTS.address, value: 10n, data: withdrawalRequest(pubkey(label), amountGwei) });
}

async function consolidationReq(f: TxFactory, label: string): Promise<TypedTransaction> {
  return f.tx(key('validator ops'), { to: CONSOLIDATION_REQUESTS.address, value: 10n, data: consolidationRequest(pubkey(label), pubkey(`${label} target`)) });
}

/** Calls through the batch caller to `target`. */
function probe(f: TxFactory, target: PrefixedHexString, calls: ProbeCall[], gasLimit = 2_000_000n): Promise<TypedTransaction> {
  return f.tx(key('prober'), { to: A.batchCaller, data: batchCalldata(target, calls), gasLimit });
}

const words = (...ns: bigint[]) => concatBytes(...ns.map((n) => word(bigIntToBytes(n))));

/** History contract (EIP-2935) and BLOCKHASH reads of recent and out-of-window blocks. */
async function blockHashReads(f: TxFactory): Promise<TypedTransaction[]> {
  const n = f.number;
  const history = [n - 1n, n - 2n, n, n - 8192n].map((b) => ({ gas: 50_000n, input: word(bigIntToBytes(b)) }));
  return [
    await probe(f, HISTORY_STORAGE.address, history),
    await f.tx(key('prober'), { to: A.blockhashProbe, data: words(n - 1n, n - 2n, n - 256n, n - 257n, n) }),
  ];
}

/** The beacon roots contract (EIP-4788) read at this block's timestamp and an absent one. */
function beaconRootRead(f: TxFactory): Promise<TypedTransaction> {
  return probe(f, BEACON_ROOTS.address, [f.timestamp, f.timestamp - 1n].map((t) => ({ gas: 50_000n, input: word(bigIntToBytes(t)) })));
}

/** An authorization whose signature recovers no key: r is the x of no curve point. */
function noPointAuth(f: TxFactory, k: Uint8Array) {
  const auth = f.auth(k, A.counter, 0n);
  let x = 5n;
  for (;; x++) {
    try {
      secp256k1.Point.fromHex(`02${x.toString(16).padStart(64, '0')}`);
    } catch {
      break;
    }
  }
  return [auth[0], auth[1], auth[2], auth[3], bigIntToBytes(x), auth[5]] as typeof auth;
}

const N = secp256k1.Point.CURVE().n;

/**
 * Prague's first block: every EIP-7702 validity rule, delegated accounts called by later
 * transactions, deposits, requests refused while the queues still hold the inhibitor, the history
 * contract, blobs at Prague's maximum, BLS12-381 precompiles, the calldata floor.
 */
async function pragueFork(f: TxFactory): Promise<TypedTransaction[]> {
  const [alice, bob, carol, erin, frank, grace, heidi, ivan, judy] = ['alice', 'bob', 'carol', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'].map(key) as Uint8Array[] as [
    Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array,
  ];
  const sponsor = key('sponsor');
  const caller = key('caller');
  const highS = (() => {
    const a = f.auth(erin, A.counter, 0n);
    return [a[0], a[1], a[2], a[3], a[4], bigIntToBytes(N - BigInt(bytesToHex(a[5])))] as typeof a;
  })();
  const zeroS = (() => {
    const a = f.auth(erin, A.counter, 0n);
    return [a[0], a[1], a[2], a[3], a[4], new Uint8Array()] as typeof a;
  })();
  const parity2 = (() => {
    const a = f.auth(erin, A.counter, 0n);
    return [a[0], a[1], a[2], Uint8Array.of(2), a[4], a[5]] as typeof a;
  })();
  const txs: TypedTransaction[] = [];
  // 0: a sponsor sets four delegations, three of them valid, and the wrong ones skipped.
  txs.push(
    await f.setCode(sponsor, [
      f.auth(alice, A.counter, 0n), // set
      f.auth(carol, A.counter, 0n, 0n), // chain id 0: valid on every chain
      f.auth(erin, A.counter, 0n, 5n), // another chain's: skipped
      f.auth(frank, A.counter, 7n), // nonce mismatch: skipped
      f.auth(grace, A.counter, 0n), // the authority has code: skipped
      f.auth(ivan, A.paying, 0n), // an authority that does not exist yet: created
      noPointAuth(f, erin), // no key recovers: skipped
      highS, // s above n/2: skipped
      zeroS, // s zero: skipped
      parity2, // y parity 2: skipped
    ]),
  );
  await f.bumpNonce(alice);
  await f.bumpNonce(carol);
  // 1: self-sponsored: bob's own transaction carries his authorization (nonce one past the transaction's) and calls himself.
  const bobNonce = await f.nonceOf(bob);
  txs.push(await f.setCode(bob, [f.auth(bob, A.counter, bobNonce + 1n)], { to: addressOf(bob) }));
  await f.bumpNonce(bob);
  // 2-3: many authorizations of one authority in one block: set, re-set, a stale duplicate; later a re-set and a clear.
  txs.push(await f.setCode(sponsor, [f.auth(heidi, A.counter, 0n), f.auth(heidi, A.paying, 1n), f.auth(heidi, A.counter, 1n)]));
  // 4-8: the delegated accounts called by later transactions.
  txs.push(await f.tx(caller, { to: addressOf(alice) }));
  txs.push(await f.tx(key('filler 15'), { to: addressOf(alice) }));
  txs.push(await f.tx(caller, { to: addressOf(heidi), value: 3n }));
  txs.push(await f.tx(caller, { to: addressOf(carol) }));
  txs.push(await f.tx(caller, { to: addressOf(ivan), value: 5n }));
  txs.push(await f.setCode(sponsor, [f.auth(heidi, A.inspector, 2n), f.auth(heidi, ZERO, 3n)]));
  // 10: heidi, cleared, is a plain account again: a value transfer to her runs nothing.
  txs.push(await f.tx(caller, { to: addressOf(heidi), value: 7n, gasLimit: 21_000n }));
  // 11: a delegated account sends a transaction of its own (EIP-3607 lets delegations through).
  txs.push(await f.tx(alice, { to: addressOf(key('sink alice')), value: 1n, gasLimit: 21_000n }));
  // 12: judy delegates to alice, herself a delegation: calling judy runs the designator bytes, 0xef, and fails.
  txs.push(await f.setCode(sponsor, [f.auth(judy, addressOf(alice), 0n)]));
  txs.push(f.fails(await f.tx(caller, { to: addressOf(judy) })));
  // 14: what a delegated account's code looks like from outside.
  txs.push(await f.tx(caller, { to: A.inspector, data: word(hexToBytes(addressOf(alice))) }));
  // 15-16: deposits through the deposit contract (EIP-6110 turns their logs into requests).
  txs.push(await deposit(f, 'v1', 32n * ETHER));
  txs.push(await deposit(f, 'v2', ETHER));
  // 17-18: withdrawal and consolidation requests revert: the queues hold the inhibitor until this block's end.
  txs.push(f.fails(await withdrawalReq(f, 'v1', 0n)));
  txs.push(f.fails(await consolidationReq(f, 'v1')));
  // 19-20: block hashes from the history contract and from BLOCKHASH; 21: the beacon root.
  txs.push(...(await blockHashReads(f)));
  txs.push(await beaconRootRead(f));
  // 22: BLS12-381 (EIP-2537): G1 addition of the generator to itself and to a point off the curve; map to G1.
  txs.push(await probe(f, '0x000000000000000000000000000000000000000b', [g1Add(true), g1Add(false)]));
  txs.push(await probe(f, '0x0000000000000000000000000000000000000010', [mapToG1(1n), mapToG1(bls12_381.fields.Fp.ORDER)]));
  // 24: EIP-7623: calldata with no execution pays the floor price.
  txs.push(await f.tx(key('floor'), { to: addressOf(key('sink floor')), data: new Uint8Array(2048).fill(0x5a), gasLimit: 300_000n }));
  // 25: a contract creation.
  txs.push(await f.tx(key('deployer'), { data: deployCode(COUNTER_DELEGATE), gasLimit: 200_000n }));
  txs.push(...(await blobsToMax(f, 'prague', 9, 9)));
  txs.push(...(await fillers(f, 'prague fork')));
  return txs;
}

function g1Add(valid: boolean): ProbeCall {
  const g = bls12_381.G1.Point.BASE.toAffine();
  const enc = (v: bigint) => concatBytes(new Uint8Array(16), setLength48(v));
  const point = concatBytes(enc(g.x), enc(g.y));
  const off = concatBytes(enc(g.x), enc(g.y + 1n));
  return { gas: 10_000n, input: concatBytes(point, valid ? point : off) };
}

function mapToG1(fp: bigint): ProbeCall {
  return { gas: 20_000n, input: concatBytes(new Uint8Array(16), setLength48(fp)) };
}

function setLength48(v: bigint): Uint8Array {
  const b = bigIntToBytes(v);
  const out = new Uint8Array(48);
  out.set(b, 48 - b.length);
  return out;
}

/** Prague's second block: re-set and clear, requests accepted and dequeued, history written in both blocks, MODEXP unbounded, CLZ absent. */
async function pragueSecond(f: TxFactory): Promise<TypedTransaction[]> {
  const alice = key('alice');
  const bob = key('bob');
  const sponsor = key('sponsor');
  const caller = key('caller');
  const txs: TypedTransaction[] = [];
  txs.push(await f.setCode(sponsor, [f.auth(alice, A.paying, await f.nonceOf(alice)), f.auth(bob, ZERO, await f.nonceOf(bob))]));
  await f.bumpNonce(alice);
  await f.bumpNonce(bob);
  txs.push(await f.tx(caller, { to: addressOf(alice), value: 9n }));
  txs.push(await f.tx(caller, { to: addressOf(bob), value: 9n, gasLimit: 21_000n }));
  for (const v of ['w1', 'w2', 'w3']) txs.push(await withdrawalReq(f, v, v === 'w2' ? 0n : 1_000_000_000n));
  for (const v of ['c1', 'c2', 'c3']) txs.push(await consolidationReq(f, v));
  txs.push(await deposit(f, 'v3', 33n * ETHER));
  txs.push(...(await blockHashReads(f)));
  txs.push(await probe(f, '0x0000000000000000000000000000000000000005', modexpCalls(), 6_000_000n));
  txs.push(f.fails(await f.tx(key('prober'), { to: A.clzProbe, data: words(1n) }))); // CLZ is not an opcode before Osaka
  txs.push(...(await fillers(f, 'prague second')));
  return txs;
}

/** MODEXP inputs at and beyond EIP-7823's 1,024-byte bounds, and the cases EIP-7883 reprices. */
function modexpCalls(): ProbeCall[] {
  const input = (base: Uint8Array, exp: Uint8Array, mod: Uint8Array) =>
    concatBytes(word(bigIntToBytes(BigInt(base.length))), word(bigIntToBytes(BigInt(exp.length))), word(bigIntToBytes(BigInt(mod.length))), base, exp, mod);
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  return [
    { gas: 200_000n, input: input(bytes(1024, 0x11), Uint8Array.of(3), bytes(1024, 0x77)) }, // every length at the bound
    { gas: 200_000n, input: input(bytes(1025, 0x11), Uint8Array.of(3), bytes(32, 0x77)) }, // base one byte over
    { gas: 200_000n, input: input(bytes(32, 0x11), Uint8Array.of(3), bytes(1025, 0x77)) }, // modulus one byte over
    { gas: 1_000_000n, input: input(bytes(1, 2), bytes(1025, 0x01), bytes(1, 0x07)) }, // exponent one byte over
    { gas: 200_000n, input: input(bytes(32, 0x11), bytes(32, 0xff), bytes(32, 0x77)) }, // 32-byte operands, full exponent
    { gas: 200_000n, input: input(bytes(1, 2), Uint8Array.of(5), new Uint8Array()) }, // empty modulus: the minimum price
    { gas: 200_000n, input: input(new Uint8Array(), new Uint8Array(), bytes(1, 9)) },
  ];
}

/** The Cancun block before Prague: blobs at Cancun's maximum, requests refused (no queue yet), beacon root. */
async function cancunLast(f: TxFactory): Promise<TypedTransaction[]> {
  return [
    f.fails(await withdrawalReq(f, 'early', 0n)),
    await beaconRootRead(f),
    await f.tx(key('prober'), { to: A.blockhashProbe, data: words(f.number - 1n, f.number - 256n) }),
    ...(await blobsToMax(f, 'cancun', 6, 6)),
    ...(await fillers(f, 'cancun')),
  ];
}

/** Osaka's first block: P256VERIFY on the Wycheproof vectors, MODEXP bounds, CLZ, a transaction at the gas cap, blobs at the maximum. */
async function osakaFork(f: TxFactory): Promise<TypedTransaction[]> {
  const calls = p256Calls();
  const half = Math.ceil(calls.length / 2);
  const alice = key('alice');
  const txs: TypedTransaction[] = [
    await probe(f, '0x0000000000000000000000000000000000000100', calls.slice(0, half), 3_000_000n),
    await probe(f, '0x0000000000000000000000000000000000000100', calls.slice(half), 3_000_000n),
    await probe(f, '0x0000000000000000000000000000000000000005', modexpCalls(), 6_000_000n),
    await f.tx(key('prober'), { to: A.clzProbe, data: words(0n, 1n, 1n << 255n, (1n << 256n) - 1n, 0xffn << 128n, 1n << 128n) }),
    // EIP-7825: a transaction may use the whole cap, 2^24 gas, and not one more.
    await f.tx(key('big spender'), { to: addressOf(key('sink big')), value: 1n, gasLimit: 1n << 24n }),
    await f.setCode(key('sponsor'), [f.auth(alice, A.counter, await f.nonceOf(alice))]),
    await f.tx(key('caller'), { to: addressOf(alice) }),
    await withdrawalReq(f, 'osaka', 5_000_000_000n),
    await consolidationReq(f, 'osaka'),
    await deposit(f, 'osaka', 2n * ETHER),
    ...(await blockHashReads(f)),
    ...(await blobsToMax(f, 'osaka', 9, 6)),
    ...(await fillers(f, 'osaka fork')),
  ];
  await f.bumpNonce(alice);
  return txs;
}

/** A blob-parameter fork's block: its higher maximum, and the usual traffic. */
function bpoBlock(tag: string, maxBlobs: number) {
  return async (f: TxFactory): Promise<TypedTransaction[]> => [
    ...(await blobsToMax(f, tag, maxBlobs, 6)),
    await f.setCode(key('sponsor'), [f.auth(key('carol'), A.paying, await f.nonceOf(key('carol')))]),
    await f.tx(key('caller'), { to: addressOf(key('carol')), value: 4n }),
    await withdrawalReq(f, tag, 0n),
    await deposit(f, tag, ETHER),
    ...(await fillers(f, tag)),
  ];
}

const withdrawals = (tag: string) => [0, 1].map((i) => ({ index: BigInt(i), validatorIndex: 1000n + BigInt(i), address: addressOf(key(`withdrawn ${tag} ${i}`)), amount: 32n * GWEI + BigInt(i) }));

/** Chain 1: Cancun's last block, Prague's first and second. */
export async function pragueChain(): Promise<BuiltBlock[]> {
  const chain = await ChainBuilder.create({ number: 22_431_082n, timestamp: PRAGUE - 24n, gasLimit: 36_000_000n, baseFeePerGas: GWEI }, genesisState({ requestQueues: 'deployed' }));
  return [
    await chain.build({ label: 'cancun', timestamp: PRAGUE - 12n, txs: cancunLast, withdrawals: withdrawals('cancun') }),
    await chain.build({ label: 'prague-fork', timestamp: PRAGUE, txs: pragueFork, withdrawals: withdrawals('prague') }),
    await chain.build({ label: 'prague', timestamp: PRAGUE + 12n, txs: pragueSecond, withdrawals: withdrawals('prague 2') }),
  ];
}

/** Chain 2: Prague's last block, Osaka's first, bpo1's first, bpo2's first. */
export async function osakaChain(): Promise<BuiltBlock[]> {
  const chain = await ChainBuilder.create({ number: 23_935_692n, timestamp: OSAKA - 24n, gasLimit: 45_000_000n, baseFeePerGas: 2n * GWEI, excessBlobGas: 10_000_000n }, genesisState({ requestQueues: 'running' }));
  return [
    await chain.build({ label: 'prague-last', timestamp: OSAKA - 12n, txs: pragueSecond, withdrawals: withdrawals('prague last') }),
    await chain.build({ label: 'osaka-fork', timestamp: OSAKA, txs: osakaFork, withdrawals: withdrawals('osaka') }),
    await chain.build({ label: 'bpo1-fork', timestamp: BPO1, txs: bpoBlock('bpo1', 15), withdrawals: withdrawals('bpo1') }),
    await chain.build({ label: 'bpo2-fork', timestamp: BPO2, txs: bpoBlock('bpo2', 21), withdrawals: withdrawals('bpo2') }),
  ];
}

/** Stores BALANCE(calldata word) in slot 0: written without PUSH0, which Homestead lacks. */
const BALANCE_PROBE = Uint8Array.from([0x60, 0x00, 0x35, 0x31, 0x60, 0x00, 0x55, 0x00]);

/**
 * Chain 3: the DAO fork block. A few listed accounts hold balances (one of them code), the refund
 * contract holds code; transactions then pay into the refund contract and read drained balances.
 */
export async function daoChain(): Promise<BuiltBlock[]> {
  const [first, second, third] = DAO_ACCOUNTS.map((a) => `0x${a}`) as [PrefixedHexString, PrefixedHexString, PrefixedHexString];
  const refund = `0x${DAO_REFUND_CONTRACT}` as PrefixedHexString;
  const probeAt = '0x00000000000000000000000000000000000da0da';
  const state: PreState = {
    [first]: account(3_000_000n * ETHER, TOKEN_CODE),
    [second]: account(12_345n * ETHER),
    [third]: account(7n),
    [refund]: account(ETHER, BALANCE_PROBE),
    [probeAt]: account(0n, BALANCE_PROBE),
    ...Object.fromEntries(Array.from({ length: 6 }, (_, i) => [addressOf(key(`dao era ${i}`)), account(100n * ETHER)])),
  };
  const chain = await ChainBuilder.create({ number: 1_919_999n, timestamp: 1_469_020_838n, gasLimit: 4_712_388n }, state);
  chain.track(...DAO_ACCOUNTS.map((a) => `0x${a}`), refund);
  const gasPrice = 20n * GWEI;
  return [
    await chain.build({
      label: 'dao-fork',
      timestamp: 1_469_020_840n,
      generate: true,
      txs: async (f) => [
        await f.legacy(key('dao era 0'), { to: refund, value: ETHER, gasPrice, data: word(hexToBytes(second)), gasLimit: 60_000n }),
        await f.legacy(key('dao era 1'), { to: probeAt, gasPrice, data: word(hexToBytes(first)), gasLimit: 60_000n }),
        await f.legacy(key('dao era 2'), { to: probeAt, gasPrice, data: word(hexToBytes(refund)), gasLimit: 60_000n }),
        await f.legacy(key('dao era 3'), { to: third, value: 5n, gasPrice, gasLimit: 21_000n }),
        ...(await Promise.all([4, 5].map((i) => f.legacy(key(`dao era ${i}`), { to: addressOf(key(`dao sink ${i}`)), value: 1n, gasPrice, gasLimit: 21_000n })))),
      ],
    }),
  ];
}
