import { createBlock } from '@ethereumjs/block';
import { Common, Mainnet } from '@ethereumjs/common';
import { createEOACode7702Tx } from '@ethereumjs/tx';
import {
  bigIntToBytes,
  bigIntToHex,
  createAddressFromPrivateKey,
  eoaCode7702RecoverAuthority,
  eoaCode7702SignAuthorization,
  type EOACode7702AuthorizationListBytesItem,
} from '@ethereumjs/util';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { authoritySignatures, authorizationKey } from '../../src/evm/forks/authorities.js';
import { authorityCounters, eoaCode7702RecoverAuthority as recoverInWorker, useAuthorities } from '../../src/evm/forks/authority-recovery.js';
import { recoverSignatures } from '../../src/evm/senders.js';

const common = new Common({ chain: Mainnet, hardfork: 'prague' });
const key = (label: string) => keccak_256(new TextEncoder().encode(label));
const N = secp256k1.Point.CURVE().n;
const DELEGATE = '0x000000000000000000000000000000000000c047';

function auth(label: string, nonce = 0n, chainId = 1n): EOACode7702AuthorizationListBytesItem {
  return eoaCode7702SignAuthorization({ chainId: bigIntToHex(chainId), address: DELEGATE, nonce: bigIntToHex(nonce) }, key(label));
}

const withField = (a: EOACode7702AuthorizationListBytesItem, i: number, v: Uint8Array) => a.map((f, j) => (j === i ? v : f)) as EOACode7702AuthorizationListBytesItem;

/** A reference accelerator on @noble: the kernels' contract, computed the plain way. */
const reference = {
  keccak256: async (msgs: Uint8Array[]) => msgs.map((m) => keccak_256(m)),
  recoverAddresses: async (sigs: { hash: Uint8Array; r: Uint8Array; s: Uint8Array; recovery: 0 | 1 }[]) =>
    sigs.map(({ hash, r, s, recovery }) => {
      try {
        const pub = secp256k1.Signature.fromBytes(Uint8Array.from([...r, ...s]), 'compact').addRecoveryBit(recovery).recoverPublicKey(hash).toBytes(false);
        return keccak_256(pub.subarray(1)).subarray(12);
      } catch {
        return null;
      }
    }),
};

const valid = [auth('alice'), auth('carol', 0n, 0n), auth('heidi', 3n)];
const skippedBeforeRecovery = [
  auth('erin', 0n, 5n), // another chain's
  withField(auth('erin'), 5, bigIntToBytes(N - 1n)), // s above n/2
  withField(auth('erin'), 5, new Uint8Array()), // s zero
  withField(auth('erin'), 3, Uint8Array.of(2)), // y parity 2
  auth('erin', (1n << 64n) - 1n), // nonce at 2^64 - 1
];
const noKey = withField(auth('frank'), 4, Uint8Array.of(5)); // r = 5: no curve point has x = 5

function blockWith(list: EOACode7702AuthorizationListBytesItem[]) {
  const tx = createEOACode7702Tx(
    { nonce: 0n, to: DELEGATE, gasLimit: 500_000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, authorizationList: list, chainId: 1n },
    { common },
  ).sign(key('sponsor'));
  return createBlock({ header: { number: 22_500_000n, timestamp: 1_750_000_000n, gasLimit: 30_000_000n, baseFeePerGas: 7n }, transactions: [tx] }, { common });
}

describe('EIP-7702 authorities in the batch', () => {
  it('collects exactly the authorizations runTx would recover, with its hash and recovery id', () => {
    const sigs = authoritySignatures(blockWith([...valid, ...skippedBeforeRecovery, noKey]));
    expect(sigs.map((s) => s.key)).toEqual([...valid, noKey].map(authorizationKey));
    for (const [i, a] of valid.entries()) {
      const s = sigs[i]!;
      const pub = secp256k1.Signature.fromBytes(Uint8Array.from([...s.r, ...s.s]), 'compact').addRecoveryBit(s.recovery).recoverPublicKey(keccak_256(s.preimage));
      expect(keccak_256(pub.toBytes(false).subarray(1)).subarray(12)).toEqual(eoaCode7702RecoverAuthority(a).bytes);
    }
  });

  it('recovers senders and authorities in one Keccak batch and one recoverAddresses batch', async () => {
    const calls: string[] = [];
    const counting = {
      keccak256: async (m: Uint8Array[]) => (calls.push(`keccak ${m.length}`), reference.keccak256(m)),
      recoverAddresses: async (s: Parameters<typeof reference.recoverAddresses>[0]) => (calls.push(`recover ${s.length}`), reference.recoverAddresses(s)),
    };
    const block = blockWith([...valid, ...skippedBeforeRecovery, noKey]);
    const r = await recoverSignatures(block, counting);
    expect(calls).toEqual(['keccak 5', 'recover 5']);
    expect(r.senders).toEqual(createAddressFromPrivateKey(key('sponsor')).bytes);
    expect(r.authorities.keys).toEqual([...valid, noKey].map(authorizationKey));
    expect(r.authorities.addresses.slice(0, 3)).toEqual(valid.map((a) => eoaCode7702RecoverAuthority(a).bytes));
    expect(r.authorities.addresses[3]).toBeNull();
  });

  it("a worker answers runTx's recovery from the table: an address, a throw for none, and computes the rest", () => {
    const planted = new Uint8Array(20).fill(0xab);
    useAuthorities({ keys: [authorizationKey(valid[0]!), authorizationKey(noKey)], addresses: [planted, null] });
    const before = { ...authorityCounters };
    expect(recoverInWorker(valid[0]!).bytes).toEqual(planted);
    expect(() => recoverInWorker(noKey)).toThrow(/no public key recovers/);
    expect(() => eoaCode7702RecoverAuthority(noKey)).toThrow(); // as ethereumjs itself does
    expect(recoverInWorker(valid[1]!).bytes).toEqual(eoaCode7702RecoverAuthority(valid[1]!).bytes);
    expect(authorityCounters.fromBatch - before.fromBatch).toBe(2);
    expect(authorityCounters.computed - before.computed).toBe(1);
  });
});
