// cpu-native secp256k1 recovery against the @noble/curves reference: random signatures with right
// and wrong recovery ids, high s, garbage and boundary scalars, the Wycheproof vectors, and every
// transaction sender of the mainnet fixture blocks.
import { sha256 } from '@noble/hashes/sha2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/runtime/backend.js';
import { InputError } from '../../src/runtime/errors.js';
import { ADDRESS_BYTES, PUBKEY_BYTES, SIG_RECORD_BYTES, type PackedSignatures } from '../../src/runtime/packing.js';
import { keccakReference, recoverOneReference } from '../../src/backends/cpu/js-backend.js';
import { openCpuNative } from '../../src/backends/cpu/native-backend.js';
import { mainnetSenders } from '../helpers/mainnet.js';
import { bigToBytes32, fromHex, hex, readGzipJson, Rng, testSeed, ticksDuring } from './cpu-native-support.js';

const { n: N, p: P } = secp256k1.Point.CURVE();
const seed = testSeed();
const rng = new Rng(seed);

let native: Backend;
beforeAll(async () => {
  console.log(`cpu-native recover suite seed=${seed} (EVM_ACCEL_TEST_SEED replays it)`);
  native = await openCpuNative({ workers: 2 });
});
afterAll(() => native.close());

function record(hash: Uint8Array, r: Uint8Array, s: Uint8Array, recovery: number): Uint8Array {
  const rec = new Uint8Array(SIG_RECORD_BYTES);
  rec.set(hash, 0);
  rec.set(r, 32);
  rec.set(s, 64);
  rec[96] = recovery;
  return rec;
}

function pack(records: Uint8Array[]): PackedSignatures {
  const out = new Uint8Array(records.length * SIG_RECORD_BYTES);
  records.forEach((r, i) => out.set(r, i * SIG_RECORD_BYTES));
  return { records: out, count: records.length };
}

/**
 * Recovers `records` with the native backend (keys and addresses) and checks every item against
 * `expected[i]` (a 64-byte key or null); where expected is undefined, against noble.
 */
async function expectRecovers(backend: Backend, records: Uint8Array[], expected: (Uint8Array | null | undefined)[] = []) {
  const batch = pack(records);
  const { keys, valid } = await backend.ecrecover!(batch);
  const { addresses, valid: addrValid } = await backend.recoverAddresses!(batch);
  expect(keys.length).toBe(records.length * PUBKEY_BYTES);
  expect(addresses.length).toBe(records.length * ADDRESS_BYTES);
  let failures = 0;
  for (let i = 0; i < records.length; i++) {
    const want = expected[i] === undefined ? recoverOneReference(records[i]!) : expected[i]!;
    const got = valid[i] ? keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES) : null;
    const gotAddr = addrValid[i] ? addresses.subarray(i * ADDRESS_BYTES, (i + 1) * ADDRESS_BYTES) : null;
    const wantAddr = want ? keccakReference(want).subarray(32 - ADDRESS_BYTES) : null;
    const ok =
      (got ? hex(got) : null) === (want ? hex(want) : null) &&
      (gotAddr ? hex(gotAddr) : null) === (wantAddr ? hex(wantAddr) : null);
    if (!ok && failures++ < 5) {
      expect.fail(
        `record ${i} ${hex(records[i]!)}: got key ${got ? hex(got) : 'null'} address ${gotAddr ? hex(gotAddr) : 'null'}, ` +
          `want ${want ? hex(want) : 'null'}`,
      );
    }
  }
  return valid;
}

function randomSecretKey(): Uint8Array {
  for (;;) {
    const sk = rng.bytes(32);
    if (secp256k1.utils.isValidSecretKey(sk)) return sk;
  }
}

describe('cpu-native ecrecover and recoverAddresses', () => {
  // The noble side dominates these suites' time (~2 ms a recovery): allow for a busy CI machine.
  const NOBLE_BOUND = { timeout: 180_000 };

  it('recovers 4.5k noble signatures (right id, high-s twin) and matches noble on the wrong id', NOBLE_BOUND, async () => {
    const signers = Array.from({ length: 16 }, () => {
      const sk = randomSecretKey();
      return { sk, pub: secp256k1.getPublicKey(sk, false).subarray(1) };
    });
    const records: Uint8Array[] = [];
    const expected: (Uint8Array | undefined)[] = [];
    for (let i = 0; i < 1500; i++) {
      const signer = signers[i % signers.length]!;
      const hash = rng.bytes(32);
      if (i % 8 === 0) hash.fill(0xff, 0, 4); // above n: must be reduced mod n
      const sig = secp256k1.sign(hash, signer.sk, { prehash: false, format: 'recovered' });
      const recovery = sig[0]!;
      const r = sig.subarray(1, 33);
      const s = sig.subarray(33, 65);
      // (r, n - s) with the other id is the same signature's high-s twin: same key, no EIP-2 check here.
      const highS = bigToBytes32(N - BigInt('0x' + hex(s)));
      records.push(record(hash, r, s, recovery), record(hash, r, highS, recovery ^ 1), record(hash, r, s, recovery ^ 1));
      expected.push(signer.pub, signer.pub, undefined);
    }
    const valid = await expectRecovers(native, records, expected);
    // The wrong id usually names another valid point: those must be recovered too, not rejected.
    expect(valid.reduce((a, v) => a + v, 0)).toBeGreaterThan(records.length * 0.9);
  });

  it('matches noble on 5.5k random (r, s, hash, id) and on boundary scalars', NOBLE_BOUND, async () => {
    const records: Uint8Array[] = [];
    for (let i = 0; i < 5500; i++) records.push(record(rng.bytes(32), rng.bytes(32), rng.bytes(32), rng.int(2)));
    const words = [0n, 1n, 2n, N - 1n, N, N + 1n, P - 1n, P, 2n ** 256n - 1n, BigInt('0x' + hex(rng.bytes(32)))];
    // A point with x = r must exist for recovery; take some real r values so that s and hash edges
    // reach the arithmetic rather than failing on decompression.
    const realR = Array.from({ length: 3 }, () =>
      BigInt('0x' + hex(secp256k1.sign(rng.bytes(32), randomSecretKey(), { prehash: false }).subarray(0, 32))),
    );
    const scalars = [...words, ...realR];
    for (const r of scalars) {
      for (const s of scalars) {
        for (const h of [0n, 1n, N - 1n, N, 2n ** 256n - 1n]) {
          records.push(record(bigToBytes32(h), bigToBytes32(r), bigToBytes32(s), rng.int(2)));
        }
      }
    }
    await expectRecovers(native, records);
  });

  it('treats recovery ids 2 and 3 (x = r + n) as noble does, and rejects ids above 3', async () => {
    const records: Uint8Array[] = [];
    for (let i = 0; i < 400; i++) {
      // r + n < p only when r < p - n (about 2^128): half the r values are chosen below, half above.
      const r = i % 2 === 0 ? new Uint8Array(32).fill(0, 0, 16) : rng.bytes(32);
      if (i % 2 === 0) r.set(rng.bytes(16), 16);
      records.push(record(rng.bytes(32), r, rng.bytes(32), 2 + (i % 2)));
    }
    const valid = await expectRecovers(native, records);
    expect(valid.some((v) => v === 1)).toBe(true);
    const base = record(rng.bytes(32), rng.bytes(32), rng.bytes(32), 0);
    const bad = [4, 27, 255].map((id) => record(base.subarray(0, 32), base.subarray(32, 64), base.subarray(64, 96), id));
    await expectRecovers(native, bad, [null, null, null]);
  });

  it('agrees with noble on every Wycheproof P1363 vector and recovers the key of each valid one', async () => {
    interface Vectors {
      testGroups: { publicKey: { uncompressed: string }; tests: { tcId: number; msg: string; sig: string; result: string }[] }[];
    }
    const vectors = readGzipJson<Vectors>('test/fixtures/vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json.gz');
    const records: Uint8Array[] = [];
    const cases: { key: string; result: string; tcId: number }[] = [];
    for (const group of vectors.testGroups) {
      const key = group.publicKey.uncompressed.slice(2);
      for (const t of group.tests) {
        const sig = fromHex(t.sig);
        if (sig.length !== 64) continue; // P1363 length errors: not representable as a record
        const hash = sha256(fromHex(t.msg));
        // Ids 2 and 3 too: a few valid vectors have k·G.x ≥ n, so that r = x - n.
        for (const id of [0, 1, 2, 3]) records.push(record(hash, sig.subarray(0, 32), sig.subarray(32), id));
        cases.push({ key, result: t.result, tcId: t.tcId });
      }
    }
    expect(cases.length).toBeGreaterThan(200);
    const batch = pack(records);
    await expectRecovers(native, records);
    const { keys, valid } = await native.ecrecover!(batch);
    const recoveredKey = (j: number) => (valid[j] ? hex(keys.subarray(j * 64, j * 64 + 64)) : null);
    cases.forEach((c, i) => {
      const found = [0, 1, 2, 3].some((id) => recoveredKey(4 * i + id) === c.key);
      if (c.result === 'valid') expect(found, `tcId ${c.tcId} is valid but its key was not recovered`).toBe(true);
      if (c.result === 'invalid') expect(found, `tcId ${c.tcId} is invalid but recovered the key`).toBe(false);
    });
  });

  it('recovers the sender of every transaction in the mainnet fixture blocks', NOBLE_BOUND, async () => {
    const txs = await mainnetSenders();
    const records = txs.map(({ sig }) => record(sig.hash, sig.r, sig.s, sig.recovery));
    const senders = txs.map((t) => t.from.slice(2));
    expect(records.length).toBeGreaterThan(12_000);
    const batch = pack(records);
    const { addresses, valid } = await native.recoverAddresses!(batch);
    const { keys, valid: keyValid } = await native.ecrecover!(batch);
    senders.forEach((from, i) => {
      expect(valid[i] && keyValid[i], `transaction ${i}`).toBe(1);
      expect(hex(addresses.subarray(i * 20, i * 20 + 20)), `transaction ${i}`).toBe(from);
      expect(hex(keccakReference(keys.subarray(i * 64, i * 64 + 64)).subarray(12)), `transaction ${i}`).toBe(from);
    });
  });

  it('gives the same results on 1, 3 and 16 threads, for batches of 0, 1, 5 and 3000', async () => {
    const sk = randomSecretKey();
    // Signed records every tenth item, the rest random (half of those valid), so chunks mix both.
    const all = Array.from({ length: 3000 }, (_, i) => {
      const hash = rng.bytes(32);
      if (i % 10 !== 0) return record(hash, rng.bytes(32), rng.bytes(32), rng.int(2));
      const sig = secp256k1.sign(hash, sk, { prehash: false, format: 'recovered' });
      return record(hash, sig.subarray(1, 33), sig.subarray(33), sig[0]!);
    });
    const want = await native.ecrecover!(pack(all));
    for (const workers of [1, 3, 16]) {
      const b = await openCpuNative({ workers });
      try {
        for (const n of [0, 1, 5, 3000]) {
          const got = await b.ecrecover!(pack(all.slice(0, n)));
          expect(hex(got.valid)).toBe(hex(want.valid.subarray(0, n)));
          expect(hex(got.keys)).toBe(hex(want.keys.subarray(0, n * 64)));
        }
      } finally {
        await b.close();
      }
    }
  });

  it('runs a large batch without blocking the event loop', async () => {
    const sk = randomSecretKey();
    const hash = rng.bytes(32);
    const sig = secp256k1.sign(hash, sk, { prehash: false, format: 'recovered' });
    const one = record(hash, sig.subarray(1, 33), sig.subarray(33), sig[0]!);
    const count = 20_000;
    const records = new Uint8Array(count * SIG_RECORD_BYTES);
    for (let i = 0; i < count; i++) records.set(one, i * SIG_RECORD_BYTES);
    const { result, ticks, ms } = await ticksDuring(() => native.recoverAddresses!({ records, count }));
    expect(ticks, `only ${ticks} event-loop ticks in ${ms.toFixed(0)} ms`).toBeGreaterThanOrEqual(2);
    const address = hex(keccakReference(secp256k1.getPublicKey(sk, false).subarray(1)).subarray(12));
    expect(result.valid.every((v) => v === 1)).toBe(true);
    expect(hex(result.addresses.subarray((count - 1) * 20))).toBe(address);
  });

  it('rejects a records buffer shorter than count × 97 bytes with InputError', async () => {
    await expect(native.ecrecover!({ records: new Uint8Array(96), count: 1 })).rejects.toThrow(InputError);
    await expect(native.recoverAddresses!({ records: new Uint8Array(97), count: 2 })).rejects.toThrow(InputError);
  });
});
