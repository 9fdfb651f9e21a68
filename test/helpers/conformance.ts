import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Accelerator, BackendName, Signature } from '../../src/index.js';
import { recoverOneReference } from '../../src/backends/cpu/js-backend.js';
import { packSignatures } from '../../src/runtime/packing.js';
import { SeededRandom, keccakBoundaryLengths } from './random.js';
import { mainnetSenders } from './mainnet.js';
import { wycheproofCases } from './wycheproof.js';

const N = secp256k1.Point.CURVE().n;
const P = secp256k1.Point.CURVE().p;

export interface ConformanceSizes {
  /** Random Keccak messages. */
  keccakMessages: number;
  /** Longest random message. */
  keccakMaxLength: number;
  /** Random signatures. */
  signatures: number;
  /** Run the Wycheproof vectors. */
  wycheproof: boolean;
  /** Recover every mainnet fixture transaction's sender (about 7k recoveries). */
  mainnet: boolean;
}

export function toBytes32(x: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
}


/** The reference answer for a signature: noble's recovery. */
export function referenceKey(sig: Signature): Uint8Array | null {
  return recoverOneReference(packSignatures([sig]).records);
}

/**
 * Signatures a recovery kernel must get exactly right: valid ones over random keys, the wrong
 * recovery id, random hashes, garbage r/s, and the hand-made edges of the curve and scalar field.
 * Each comes with its expected key (noble's answer; for valid signatures, the signer's own key).
 */
export function signatureCases(count: number, seed: number): { sig: Signature; want: Uint8Array | null }[] {
  const rnd = new SeededRandom(seed);
  const cases: { sig: Signature; want: Uint8Array | null }[] = [];
  const valid = (): { sig: Signature; key: Uint8Array } => {
    const priv = secp256k1.utils.randomSecretKey(rnd.bytes(48));
    const hash = rnd.bytes(32);
    const s = secp256k1.sign(hash, priv, { prehash: false, format: 'recovered' });
    return {
      sig: { hash, r: s.subarray(1, 33), s: s.subarray(33, 65), recovery: s[0] as 0 | 1 },
      key: secp256k1.getPublicKey(priv, false).subarray(1),
    };
  };
  const { sig: base } = valid();
  const edges: Signature[] = [
    { ...base, r: toBytes32(0n) },
    { ...base, s: toBytes32(0n) },
    { ...base, r: toBytes32(N) },
    { ...base, s: toBytes32(N) },
    { ...base, r: toBytes32(N - 1n) },
    { ...base, s: toBytes32(N - 1n) },
    { ...base, r: toBytes32(N + 1n) },
    { ...base, r: toBytes32(P - 1n) },
    { ...base, r: toBytes32(P) },
    { ...base, r: toBytes32((1n << 256n) - 1n) },
    { ...base, s: toBytes32((1n << 256n) - 1n) },
    { ...base, hash: toBytes32(0n) },
    { ...base, hash: toBytes32(N) },
    { ...base, hash: toBytes32(N + 5n) },
    { ...base, hash: toBytes32((1n << 256n) - 1n) },
    { ...base, r: toBytes32(1n) },
    { ...base, s: toBytes32(1n) },
    { ...base, recovery: (1 - base.recovery) as 0 | 1 },
  ];
  for (const sig of edges) cases.push({ sig, want: referenceKey(sig) });
  while (cases.length < count) {
    const kind = rnd.int(10);
    const { sig, key } = valid();
    if (kind < 5) {
      // High s is accepted by recovery (only transaction validity rules reject it): negate half.
      const high = kind === 4 ? { ...sig, s: toBytes32(N - BigInt('0x' + Buffer.from(sig.s).toString('hex'))), recovery: (1 - sig.recovery) as 0 | 1 } : sig;
      cases.push({ sig: high, want: kind === 4 ? referenceKey(high) : key });
    } else {
      const bad: Signature =
        kind === 5 ? { ...sig, recovery: (1 - sig.recovery) as 0 | 1 }
        : kind === 6 ? { ...sig, hash: rnd.bytes(32) }
        : kind === 7 ? { ...sig, r: rnd.bytes(32) }
        : kind === 8 ? { ...sig, s: rnd.bytes(32) }
        : { ...sig, r: rnd.bytes(32), s: rnd.bytes(32) };
      cases.push({ sig: bad, want: referenceKey(bad) });
    }
  }
  return cases;
}

function needsHighRecoveryId(sig: Signature, key: Uint8Array): boolean {
  const r = BigInt('0x' + Buffer.from(sig.r).toString('hex'));
  const s = BigInt('0x' + Buffer.from(sig.s).toString('hex'));
  return [2, 3].some((id) => {
    try {
      return hex(new secp256k1.Signature(r, s, id).recoverPublicKey(sig.hash).toBytes(false).subarray(1)) === hex(key);
    } catch {
      return false;
    }
  });
}

function hex(b: Uint8Array | null | undefined): string | null {
  return b ? Buffer.from(b).toString('hex') : null;
}

/**
 * The suite every backend passes, through the public API with the backend forced: differential
 * against noble on random and edge inputs, plus the external vectors.
 */
export function kernelConformance(backend: BackendName, accel: () => Accelerator, sizes: ConformanceSizes): void {
  const kernels = () => accel().backends.find((b) => b.name === backend)!.kernels;
  const force = { backend };
  // The runtime's checks re-run a wrong batch elsewhere and return the right answer: a result
  // here is the backend's own only if it faulted nothing.
  let faults = 0;
  beforeEach(() => void (faults = accel().stats().backends[backend].errors));
  afterEach(() => {
    const s = accel().stats().backends[backend];
    expect(s.errors - faults, `${backend} faulted and another backend answered: ${s.lastError}`).toBe(0);
  });

  describe(`${backend}: keccak256`, () => {
    it(`matches @noble/hashes on ${sizes.keccakMessages} random messages of 0..${sizes.keccakMaxLength} bytes, every rate boundary`, async () => {
      const rnd = new SeededRandom(0x6b656363);
      const lengths = keccakBoundaryLengths(sizes.keccakMaxLength);
      const msgs: Uint8Array[] = [];
      for (const len of lengths) msgs.push(rnd.bytes(len), new Uint8Array(len), new Uint8Array(len).fill(0xff));
      while (msgs.length < sizes.keccakMessages) msgs.push(rnd.bytes(rnd.int(sizes.keccakMaxLength + 1)));
      const got = await accel().keccak256(msgs, force);
      expect(got).toHaveLength(msgs.length);
      for (let i = 0; i < msgs.length; i++) {
        if (hex(got[i]) !== hex(keccak_256(msgs[i]!))) expect.fail(`message ${i} (${msgs[i]!.length} bytes): digest differs`);
      }
      expect(accel().stats().backends[backend].items.keccak256).toBeGreaterThanOrEqual(msgs.length);
    });

    it('answers an empty batch with an empty array and a single message correctly', async () => {
      expect(await accel().keccak256([], force)).toEqual([]);
      const [d] = await accel().keccak256([new TextEncoder().encode('abc')], force);
      expect(hex(d)).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    });
  });

  describe(`${backend}: ecrecover`, () => {
    it(`matches @noble/curves on ${sizes.signatures} random and edge-case signatures`, async (ctx) => {
      if (!kernels().includes('ecrecover')) ctx.skip();
      const cases = signatureCases(sizes.signatures, 0x5ec9);
      const keys = await accel().ecrecover(cases.map((c) => c.sig), force);
      const addrs = await accel().recoverAddresses(cases.map((c) => c.sig), force);
      cases.forEach((c, i) => {
        if (hex(keys[i]) !== hex(c.want)) expect.fail(`signature ${i}: key ${hex(keys[i])}, reference ${hex(c.want)}`);
        const wantAddr = c.want && keccak_256(c.want).subarray(12);
        if (hex(addrs[i]) !== hex(wantAddr)) expect.fail(`signature ${i}: address differs`);
      });
      expect(cases.some((c) => c.want === null)).toBe(true);
    });

    it.runIf(sizes.wycheproof)('matches @noble/curves on every Wycheproof vector, both recovery ids', async (ctx) => {
      if (!kernels().includes('ecrecover')) ctx.skip();
      const cases = wycheproofCases();
      const sigs = cases.flatMap((c) => c.sigs);
      const keys = await accel().ecrecover(sigs, force);
      cases.forEach((c, k) => {
        const got = [keys[2 * k], keys[2 * k + 1]];
        c.sigs.forEach((sig, id) => {
          const want = referenceKey(sig);
          if (hex(got[id]) !== hex(want)) expect.fail(`tcId ${c.tcId} id ${id}: key ${hex(got[id])}, reference ${hex(want)}`);
        });
        // A signature Wycheproof calls valid must recover the group's key under one of the ids,
        // unless R's x is r + n: Ethereum's ids 0/1 cannot name that point, so null is right there.
        if (c.result === 'valid' && !got.some((g) => hex(g) === hex(c.key)) && !needsHighRecoveryId(c.sigs[0], c.key)) {
          expect.fail(`tcId ${c.tcId}: group key not recovered`);
        }
      });
      expect(cases.length).toBeGreaterThan(200);
    });

    it.runIf(sizes.mainnet)('recovers every mainnet fixture transaction to its sender', async (ctx) => {
      if (!kernels().includes('ecrecover')) ctx.skip();
      const txs = await mainnetSenders();
      const addrs = await accel().recoverAddresses(txs.map((t) => t.sig), force);
      txs.forEach((t, i) => {
        if (`0x${hex(addrs[i])}` !== t.from) expect.fail(`${t.where}: recovered ${hex(addrs[i])}, mainnet says ${t.from}`);
      });
      expect(txs.length).toBeGreaterThan(5000);
    });
  });
}
