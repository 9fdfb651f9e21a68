import { Common, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createTxFromRLP } from '@ethereumjs/tx';
import { bigIntToHex, bytesToBigInt, bytesToHex, concatBytes, createAddressFromString, hexToBytes, setLengthLeft, type PrefixedHexString } from '@ethereumjs/util';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { blockFromRpc, fixtureBlock } from '../../src/evm/chain.js';
import type { BlockFixture } from '../../src/evm/fixture.js';
import { DAO_ACCOUNTS, DAO_REFUND_CONTRACT } from '../../src/evm/forks/dao-accounts.js';
import { TOKEN_CODE } from '../../src/evm/synthetic.js';
import { loadBuilt } from '../helpers/built-fixtures.js';
import { addressOf, ETHER, key, runPlain } from '../helpers/built-blocks/chain-builder.js';
import { DEPOSIT_CONTRACT } from '../helpers/built-blocks/deposit-contract.js';
import { p256Cases } from '../helpers/built-blocks/p256-vectors.js';
import { A } from '../helpers/built-blocks/scenarios.js';
import { BEACON_ROOTS, CONSOLIDATION_REQUESTS, HISTORY_STORAGE, WITHDRAWAL_REQUESTS } from '../helpers/built-blocks/system-contracts.js';

// What the built blocks exercise, read back from plain runBlock's receipts and post-state: a
// built block that silently stopped testing what it claims would make every equality test that
// uses it hollow.

type Run = Awaited<ReturnType<typeof runPlain>>;

/** Every call a batch-caller transaction to `target` made: its index, success and return data. */
function probeCalls(f: BlockFixture, r: Run, target: string): { ok: boolean; data: string }[] {
  const out: { ok: boolean; data: string }[] = [];
  f.block.transactions.forEach((t, i) => {
    const input = t['input'] as string;
    if ((t['to'] as string | undefined)?.toLowerCase() !== A.batchCaller || `0x${input.slice(26, 66)}` !== target.toLowerCase()) return;
    for (const [, topics, data] of r.receipts[i]!.logs) out.push({ ok: bytesToBigInt(topics[1]!) === 1n, data: bytesToHex(data) });
  });
  return out;
}

/** The words a probe contract logged, by topic. */
function probeWords(f: BlockFixture, r: Run, probe: string): Map<bigint, string> {
  const i = f.block.transactions.findIndex((t) => (t['to'] as string | undefined)?.toLowerCase() === probe);
  return new Map(r.receipts[i]!.logs.map(([, topics, data]) => [bytesToBigInt(topics[0]!), bytesToHex(data)]));
}

const status = (r: Run, i: number) => ('status' in r.receipts[i]! ? r.receipts[i]!.status : -1);
const txIndex = (f: BlockFixture, pred: (t: Record<string, unknown>) => boolean) => f.block.transactions.findIndex(pred);
const to = (a: string) => (t: Record<string, unknown>) => (t['to'] as string | undefined)?.toLowerCase() === a.toLowerCase();
const designator = (target: string) => `0xef0100${target.slice(2).toLowerCase()}`;

async function account(r: Run, a: string) {
  const address = createAddressFromString(a);
  const acct = await r.state.getAccount(address);
  return { nonce: acct?.nonce, balance: acct?.balance, code: bytesToHex(await r.state.getCode(address)) };
}

const ZERO32 = `0x${'00'.repeat(32)}`;
const MODEXP = '0x0000000000000000000000000000000000000005';

describe('the built blocks exercise what they claim', () => {
  it('the system contracts are the EIPs\' bytecode (code hashes as their EIPs and mainnet pin them)', () => {
    for (const c of [BEACON_ROOTS, HISTORY_STORAGE, WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS, DEPOSIT_CONTRACT]) {
      expect(bytesToHex(keccak_256(c.code)), c.name).toBe(c.codeHash);
    }
  });

  it('Prague fork block: every EIP-7702 rule, deposits, refused requests, history, BLS12-381, calldata floor, 9 blobs', async () => {
    const f = await loadBuilt('22431084-prague-fork');
    const r = await runPlain(f);
    const who = (l: string) => account(r, addressOf(key(l)));
    expect(await who('alice')).toMatchObject({ nonce: 2n, code: designator(A.counter) }); // set, then her own transaction
    expect(await who('carol')).toMatchObject({ nonce: 1n, code: designator(A.counter) }); // chain id 0
    expect(await who('bob')).toMatchObject({ nonce: 2n, code: designator(A.counter) }); // self-sponsored
    expect(await who('ivan')).toMatchObject({ nonce: 1n, code: designator(A.paying) }); // did not exist before
    expect(await who('judy')).toMatchObject({ nonce: 1n, code: designator(addressOf(key('alice'))) });
    expect(await who('heidi')).toMatchObject({ nonce: 4n, code: '0x' }); // set, re-set, stale skipped, re-set, cleared
    expect(await who('erin')).toMatchObject({ nonce: 0n, code: '0x' }); // wrong chain, no key, high s, zero s, parity 2
    expect(await who('frank')).toMatchObject({ nonce: 0n, code: '0x' }); // nonce mismatch
    expect(await who('grace')).toMatchObject({ nonce: 0n, code: bytesToHex(TOKEN_CODE) }); // an authority with code
    const slot0 = async (l: string) => bytesToHex(await r.state.getStorage(createAddressFromString(addressOf(key(l))), new Uint8Array(32)));
    expect([await slot0('alice'), await slot0('bob')]).toEqual(['0x02', '0x01']); // the counter ran in their storage
    const judyCall = txIndex(f, to(addressOf(key('judy'))));
    expect(status(r, judyCall)).toBe(0); // a delegation to a delegation runs 0xef
    // Deposits: two, in the request of type 0; the queues still held the inhibitor, so no withdrawal or consolidation.
    expect(f.requests!.map((q) => (q.length - 4) / 2)).toEqual([384, 0, 0]);
    expect(r.requests!.map((q) => bytesToHex(q.bytes))).toEqual(f.requests);
    expect(status(r, txIndex(f, to(WITHDRAWAL_REQUESTS.address)))).toBe(0);
    expect(status(r, txIndex(f, to(CONSOLIDATION_REQUESTS.address)))).toBe(0);
    // History contract: the parent's hash (written by this block's prelude), zero before, refusals outside the window.
    const n = BigInt(f.number);
    const parent = f.block['parentHash'] as string;
    expect(probeCalls(f, r, HISTORY_STORAGE.address)).toEqual([
      { ok: true, data: parent },
      { ok: true, data: ZERO32 },
      { ok: false, data: '0x' },
      { ok: false, data: '0x' },
    ]);
    const hashes = probeWords(f, r, A.blockhashProbe);
    expect([hashes.get(n - 1n), hashes.get(n - 2n), hashes.get(n - 257n), hashes.get(n)]).toEqual([parent, f.blockHashes[String(n - 2n)], ZERO32, ZERO32]);
    expect(probeCalls(f, r, BEACON_ROOTS.address)[0]).toEqual({ ok: true, data: f.block['parentBeaconBlockRoot'] });
    // BLS12-381: G + G = 2G; a point off the curve is refused; map to G1 of 1 works, of p is refused.
    const g2 = bls12_381.G1.Point.BASE.double().toAffine();
    const enc = (v: bigint) => setLengthLeft(hexToBytes(bigIntToHex(v)), 64);
    expect(probeCalls(f, r, '0x000000000000000000000000000000000000000b')).toEqual([
      { ok: true, data: bytesToHex(concatBytes(enc(g2.x), enc(g2.y))) },
      { ok: false, data: '0x' },
    ]);
    expect(probeCalls(f, r, '0x0000000000000000000000000000000000000010').map((c) => [c.ok, c.data.length])).toEqual([
      [true, 2 + 256],
      [false, 2],
    ]);
    // EIP-7623: 2,048 non-zero bytes of calldata and no execution pay the floor, 21,000 + 10 × 4 × 2,048.
    expect(r.results[txIndex(f, to(addressOf(key('sink floor'))))]!.totalGasSpent).toBe(21_000n + 10n * 4n * 2048n);
    expect(BigInt(f.block['blobGasUsed'] as string)).toBe(9n * 131_072n);
  });

  it('Prague: requests accepted and dequeued (16 withdrawals, 2 consolidations a block), MODEXP unbounded, CLZ absent', async () => {
    const f = await loadBuilt('22431085-prague');
    const r = await runPlain(f);
    expect(f.requests!.map((q) => (q.length - 4) / 2)).toEqual([192, 3 * 76, 2 * 116]); // the third consolidation waits
    expect(probeCalls(f, r, MODEXP).map((c) => c.ok)).toEqual([true, true, true, true, true, true, true]);
    expect(status(r, txIndex(f, to(A.clzProbe)))).toBe(0);
    expect(probeCalls(f, r, HISTORY_STORAGE.address).slice(0, 2).map((c) => c.data)).toEqual([f.block['parentHash'], f.blockHashes[String(f.number - 2)]]);
  });

  it('Osaka: P256VERIFY agrees with Wycheproof, MODEXP refuses inputs over 1,024 bytes, CLZ, a transaction at the gas cap, 9 blobs', async () => {
    const f = await loadBuilt('23935694-osaka-fork');
    const r = await runPlain(f);
    const p256 = probeCalls(f, r, '0x0000000000000000000000000000000000000100');
    const cases = p256Cases();
    expect(p256).toHaveLength(cases.length);
    const one = `0x${'00'.repeat(31)}01`;
    const disagree = cases.filter((c, i) => (p256[i]!.data === one) !== c.valid || !p256[i]!.ok).map((c) => c.tcId);
    expect(disagree).toEqual([]);
    expect(cases.filter((c) => c.valid).length).toBeGreaterThan(100);
    expect(cases.filter((c) => !c.valid).length).toBeGreaterThan(50);
    expect(probeCalls(f, r, MODEXP).map((c) => c.ok)).toEqual([true, false, false, false, true, true, true]);
    const clz = probeWords(f, r, A.clzProbe);
    const inputs = [0n, 1n, 1n << 255n, (1n << 256n) - 1n, 0xffn << 128n, 1n << 128n];
    expect(inputs.map((x) => bytesToBigInt(hexToBytes(clz.get(x)! as PrefixedHexString)))).toEqual([256n, 255n, 0n, 0n, 120n, 127n]);
    expect(BigInt(f.block.transactions[txIndex(f, to(addressOf(key('sink big'))))]!['gas'] as string)).toBe(1n << 24n);
    expect(BigInt(f.block['blobGasUsed'] as string)).toBe(9n * 131_072n);
  });

  it('a transaction above the Osaka gas cap is refused, as runBlock refuses it: the block cannot be made', async () => {
    const f = structuredClone(await loadBuilt('23935694-osaka-fork'));
    const osaka = (await blockFromRpc(f.block)).common;
    const fields = { nonce: 0n, to: addressOf(key('sink big')), gasLimit: (1n << 24n) + 1n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 1n, chainId: 1n };
    // Signed under Prague, which has no cap, and put in the Osaka block.
    const tx = createFeeMarket1559Tx(fields, { common: new Common({ chain: Mainnet, hardfork: 'prague' }) }).sign(key('big spender'));
    f.block.transactions = [{ ...tx.toJSON(), gas: bigIntToHex(tx.gasLimit), input: '0x', hash: bytesToHex(tx.hash()), from: tx.getSenderAddress().toString() }];
    await expect(blockFromRpc(f.block)).rejects.toThrow(/Transaction gas limit 16777217 exceeds the maximum allowed by EIP-7825 \(16777216\)/);
    expect(() => createTxFromRLP(tx.serialize(), { common: osaka })).toThrow(/EIP-7825/);
    expect(createTxFromRLP(createFeeMarket1559Tx({ ...fields, gasLimit: 1n << 24n }, { common: osaka }).sign(key('big spender')).serialize(), { common: osaka }).gasLimit).toBe(1n << 24n);
  });

  it('a built fixture runs only under the hardfork and blob schedule it states', async () => {
    const f = await loadBuilt('23935695-bpo1-fork');
    await expect(fixtureBlock({ ...f, hardfork: 'osaka' })).rejects.toThrow(/block 23935695: the fixture runs under osaka, the installed @ethereumjs\/common selects bpo1 for it/);
    await expect(fixtureBlock({ ...f, hardfork: 'bpo9' })).rejects.toThrow(/does not know bpo9/);
    await expect(fixtureBlock({ ...f, blobSchedule: { ...f.blobSchedule!, max: 16 } })).rejects.toThrow(/blob schedule .* is not the installed @ethereumjs\/common's/);
    expect((await fixtureBlock(f)).common.hardfork()).toBe('bpo1');
  });

  it('bpo1 and bpo2: blobs at their maximum, 15 and 21', async () => {
    for (const [name, max] of [['23935695-bpo1-fork', 15], ['23935696-bpo2-fork', 21]] as const) {
      const f = await loadBuilt(name);
      expect(f.blobSchedule!.max).toBe(max);
      expect(BigInt(f.block['blobGasUsed'] as string)).toBe(BigInt(max) * 131_072n);
      expect((await blockFromRpc(f.block)).common.hardfork()).toBe(f.hardfork);
    }
  });

  it('the DAO fork block: every listed balance moved to the refund contract before the first transaction', async () => {
    const f = await loadBuilt('1920000-dao-fork');
    const r = await runPlain(f);
    const refund = `0x${DAO_REFUND_CONTRACT}`;
    const drained = DAO_ACCOUNTS.reduce((sum, a) => sum + BigInt(f.preState[`0x${a}`]?.balance ?? '0x0'), 0n);
    expect(drained).toBe(3_000_000n * ETHER + 12_345n * ETHER + 7n);
    const sent = BigInt(f.block.transactions[0]!['value'] as string);
    expect((await account(r, refund)).balance).toBe(BigInt(f.preState[refund]!.balance) + drained + sent);
    // The third listed account holds only what a transaction sent it after the drain.
    for (const [i, a] of DAO_ACCOUNTS.entries()) expect((await account(r, `0x${a}`)).balance, a).toBe(i === 2 ? 5n : 0n);
    // Listed accounts that did not exist were written as empty ones (EIP-158 is not active yet).
    expect(f.preState[`0x${DAO_ACCOUNTS[3]}`]).toBeUndefined();
    for (const a of DAO_ACCOUNTS) expect(await r.state.getAccount(createAddressFromString(`0x${a}`)), a).toBeDefined();
    // The refund contract's code read the drained balance of the second listed account: zero.
    expect(bytesToHex(await r.state.getStorage(createAddressFromString(refund), new Uint8Array(32)))).toBe('0x');
  });
});
