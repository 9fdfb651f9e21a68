// secp256k1 recovery on a real WebGPU device (SwiftShader in CI) against the noble reference:
// random signatures and the shared edge cases, kernel-specific edges (non-residue x, the P + P and
// P + (−P) paths of the step loop, a result at infinity), Wycheproof vectors, mainnet transaction
// senders, addresses hashed on the device, and the kernel's input and fault handling.
// SwiftShader runs this kernel at tens of milliseconds per recovery on two cores, so CI runs a
// sized-down set: SECP_RANDOM_COUNT signatures (default 256) and, of every mainnet block, the first
// 6 transactions plus the first of each transaction type. The full runs:
//   SECP_RANDOM_COUNT=20000 SECP_MAINNET_ALL=1 npx vitest run test/e2e/webgpu-secp256k1.test.ts
// (EVM_ACCEL_SWIFTSHADER=0 runs it on the machine's own GPU.)
import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverOneReference } from '../../src/backends/cpu/js-backend.js';
import { resolveWebGpuOptions } from '../../src/backends/webgpu/config.js';
import type { GpuContext } from '../../src/backends/webgpu/device.js';
import { RecoverKernel } from '../../src/backends/webgpu/secp256k1/recover-kernel.js';
import { BackendFaultError, InputError } from '../../src/runtime/errors.js';
import { ADDRESS_BYTES, PUBKEY_BYTES, SIG_RECORD_BYTES, packSignatures, type PackedSignatures } from '../../src/runtime/packing.js';
import type { Signature } from '../../src/runtime/types.js';
import { signatureCases, toBytes32 } from '../helpers/conformance.js';
import { glvEdgeScalars, LAMBDA } from '../helpers/glv-scalars.js';
import { gpuContextForTests } from '../helpers/gpu-device-for-tests.js';
import { mainnetSenders } from '../helpers/mainnet.js';
import { wycheproofCases } from '../helpers/wycheproof.js';

const { Point } = secp256k1;
const N = Point.Fn.ORDER;
const P = Point.Fp.ORDER;
/** Small chunks, so that the Wycheproof and mainnet batches each span several dispatches. */
const TUNING = { ...resolveWebGpuOptions().ecrecover, chunkItems: 300 };
const MAINNET_TXS_PER_BLOCK = process.env.SECP_MAINNET_ALL ? Infinity : 6;
const RANDOM_COUNT = Number(process.env.SECP_RANDOM_COUNT ?? 256);
/** Per-test time limit for the sized runs: generous per item, as SwiftShader is slow and CI is shared. */
const limitFor = (items: number) => 600_000 + items * 500;

const modN = (a: bigint) => ((a % N) + N) % N;

const toBig = (b: Uint8Array) => BigInt('0x' + Buffer.from(b).toString('hex'));
const sig = (hash: bigint, r: bigint, s: bigint, recovery: 0 | 1): Signature => ({
  hash: toBytes32(hash),
  r: toBytes32(r),
  s: toBytes32(s),
  recovery,
});

let ctx: GpuContext;
let kernel: RecoverKernel;
beforeAll(async () => {
  ctx = await gpuContextForTests();
  kernel = await RecoverKernel.create(ctx, TUNING);
});
afterAll(() => {
  kernel?.destroy();
  ctx?.destroy();
});

/** Runs the batch on the GPU and lists every item whose result differs from the noble reference. */
async function mismatches(batch: PackedSignatures, label: (i: number) => string): Promise<string[]> {
  const { keys, valid } = await kernel.recover(batch);
  expect(keys.length).toBe(batch.count * PUBKEY_BYTES);
  expect(valid.length).toBe(batch.count);
  const bad: string[] = [];
  for (let i = 0; i < batch.count; i++) {
    const want = recoverOneReference(batch.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES));
    const got = valid[i] ? keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES) : null;
    if (hex(got) !== hex(want)) bad.push(`${label(i)}: want ${hex(want)}, got ${hex(got)}`);
  }
  return bad;
}

/** A point k·G whose x is below n, so that r = x and the recovery id is y's parity. */
function pointWithSmallX(): { k: bigint; r: bigint; recovery: 0 | 1 } {
  for (;;) {
    const k = modN(toBig(randomBytes(32))) || 1n;
    const { x, y } = Point.BASE.multiply(k).toAffine();
    if (x < N) return { k, r: x, recovery: Number(y & 1n) as 0 | 1 };
  }
}

describe('secp256k1 recovery on WebGPU', () => {
  it('matches noble on random signatures (both ids, wrong ids, random hashes, garbage r/s) and the shared edges', async () => {
    const cases = signatureCases(RANDOM_COUNT, 0x5ec9_6b1);
    const batch = packSignatures(cases.map((c) => c.sig));
    const t0 = performance.now();
    const { keys, valid } = await kernel.recover(batch);
    console.info(`random: ${cases.length} recoveries in ${(performance.now() - t0).toFixed(0)} ms`);
    const bad: string[] = [];
    cases.forEach((c, i) => {
      const got = valid[i] ? keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES) : null;
      if (hex(got) !== hex(c.want)) bad.push(`case ${i}: want ${hex(c.want)}, got ${hex(got)}`);
    });
    expect(bad).toEqual([]);
    expect(cases.some((c) => c.want === null)).toBe(true);
  }, limitFor(RANDOM_COUNT));

  it('matches noble on hand-made edges (ranges, hashes, non-residue x, infinity, doubling)', async () => {
    const good = pointWithSmallX();
    const s0 = 0x1234567n;
    const h0 = 0xabcdefn;
    const edges: [string, Signature][] = [];
    const add = (name: string, s: Signature) => edges.push([name, s]);
    // The generic range and hash edges are in signatureCases (above); these are about this kernel.
    for (const recovery of [0, 1] as const) {
      add('r = 0', sig(h0, 0n, s0, recovery));
      add('s = n', sig(h0, good.r, N, recovery));
      add('r = 2^256 - 1', sig(h0, 2n ** 256n - 1n, s0, recovery));
      add('r = n - 2^128 (< n, near the top)', sig(h0, N - 2n ** 128n, s0, recovery));
      add('hash = 0 (u1 = 0: no G term)', sig(0n, good.r, s0, recovery));
      add('hash = n (u1 = 0 after reduction)', sig(N, good.r, s0, recovery));
      add('high s', sig(h0, good.r, N - s0, recovery));
    }
    // x = r with x^3 + 7 a non-residue: no curve point, must be rejected.
    for (let r = 2n, found = 0; found < 4; r++) {
      if (!isCurveX(r)) {
        add(`non-residue x = ${r}`, sig(h0, r, s0, (found & 1) as 0 | 1));
        found++;
      }
    }
    // R = kG, u1 = b, u2·R = ±b·G: the G-table phase meets P + P (doubling) and P + (−P)
    // (infinity, so the result is at infinity and invalid).
    for (const sign of [1n, -1n]) {
      for (const b of [1n, 7n, 255n]) {
        const { k, r, recovery } = pointWithSmallX();
        const u2 = modN(sign * b * inv(k));
        const s = modN(u2 * r);
        const e = modN(-b * r);
        add(`u2·R = ${sign < 0 ? '-' : ''}${b}·G, u1 = ${b}`, sig(e, r, s, recovery));
      }
    }
    // Q = r^-1 (sR − eG) = 0 when e = s·k for R = kG.
    const inf = pointWithSmallX();
    add('result at infinity', sig(modN(s0 * inf.k), inf.r, s0, inf.recovery));
    const batch = packSignatures(edges.map(([, s]) => s));
    const bad = await mismatches(batch, (i) => edges[i]![0]);
    expect(bad).toEqual([]);
    // The reference must actually reject the ones meant to be invalid, or this test proves little.
    const { valid } = await kernel.recover(batch);
    const byName = new Map(edges.map(([name], i) => [name, valid[i]]));
    for (const name of ['r = 0', 's = n', 'r = 2^256 - 1', 'result at infinity', 'u2·R = -7·G, u1 = 7']) {
      expect(byName.get(name), name).toBe(0);
    }
    expect(byName.get('u2·R = 7·G, u1 = 7')).toBe(1);
  });

  it('matches noble where u2 sits on the GLV split\'s edges and u1 on the G table\'s, through the whole recovery', async () => {
    // R = k·G; s = u2·r and e = −u1·r make Q = u1·G + u2·R (u2 = 0 would need s = 0).
    const u2s = glvEdgeScalars(5000, 4).filter(({ k }) => k !== 0n);
    const u1s: [string, bigint][] = [['0', 0n], ['1', 1n], ['n − 1', N - 1n], ['λ', LAMBDA], ['2^128', 2n ** 128n], ['2^248 · 255', 255n << 248n]];
    const edges: [string, Signature][] = u2s.map(({ label, k: u2 }, i) => {
      const { r, recovery } = pointWithSmallX();
      const [u1Label, u1] = u1s[i % u1s.length]!;
      return [`u2 = ${label}, u1 = ${u1Label}`, sig(modN(-u1 * r), r, modN(u2 * r), recovery)];
    });
    const bad = await mismatches(packSignatures(edges.map(([, s]) => s)), (i) => edges[i]![0]);
    expect(bad).toEqual([]);
  });

  it('inverts per workgroup: invalid lanes of every kind beside valid ones leave those exact', async () => {
    // One chunk of TUNING.chunkItems: workgroup 0 mixed, workgroup 1 invalid but for one lane, the
    // last one partial. Invalid kinds fail in each pass: range (prepare), no curve point
    // (multiply), result at infinity (finish).
    const lanes = TUNING.batchWorkgroupSize;
    expect(TUNING.chunkItems).toBeGreaterThan(2 * lanes);
    expect(TUNING.chunkItems % lanes).not.toBe(0);
    const nonResidue = (() => {
      for (let r = 2n; ; r++) if (!isCurveX(r)) return r;
    })();
    const invalid: [string, () => Signature][] = [
      ['r = 0', () => sig(5n, 0n, 7n, 0)],
      ['s = 0', () => sig(5n, pointWithSmallX().r, 0n, 1)],
      ['r = n', () => sig(5n, N, 7n, 0)],
      ['s = n', () => sig(5n, pointWithSmallX().r, N, 0)],
      ['no point with x = r', () => sig(5n, nonResidue, 7n, 1)],
      ['result at infinity', () => {
        const p = pointWithSmallX();
        return sig(modN(7n * p.k), p.r, 7n, p.recovery);
      }],
    ];
    const items: [string, Signature][] = [];
    for (let i = 0; i < TUNING.chunkItems; i++) {
      const group = Math.floor(i / lanes);
      const isValid = group === 0 ? i % 3 === 0 : group === 1 ? i === lanes + 77 : i % 2 === 1;
      if (isValid) {
        const hash = randomBytes(32);
        const rec = secp256k1.sign(hash, secp256k1.utils.randomSecretKey(), { prehash: false, format: 'recovered' });
        items.push([`item ${i} valid`, { hash, r: rec.subarray(1, 33), s: rec.subarray(33), recovery: rec[0]! as 0 | 1 }]);
      } else {
        const [kind, make] = invalid[i % invalid.length]!;
        items.push([`item ${i} ${kind}`, make()]);
      }
    }
    const batch = packSignatures(items.map(([, s]) => s));
    expect(await mismatches(batch, (i) => items[i]![0])).toEqual([]);
    const { valid } = await kernel.recover(batch);
    expect(valid.reduce((a, b) => a + b, 0)).toBe(items.filter(([name]) => name.endsWith('valid')).length);
  });

  it('matches noble on every Wycheproof p1363 vector with both recovery ids', async () => {
    const cases = wycheproofCases();
    const sigs = cases.flatMap((c) => c.sigs);
    expect(sigs.length).toBeGreaterThan(400);
    const bad = await mismatches(packSignatures(sigs), (i) => `tcId ${cases[i >> 1]!.tcId} id ${i & 1}`);
    expect(bad).toEqual([]);
  });

  it('recovers mainnet transaction senders (every block, every tx type) to their `from`', async () => {
    const txs = await mainnetSenders(MAINNET_TXS_PER_BLOCK);
    const sigs = txs.map((t) => t.sig);
    const from = txs.map((t) => t.from);
    expect(sigs.length).toBeGreaterThan(MAINNET_TXS_PER_BLOCK === Infinity ? 12_000 : 250);
    const { keys, valid } = await kernel.recover(packSignatures(sigs));
    const wrong: string[] = [];
    for (let i = 0; i < sigs.length; i++) {
      const addr = valid[i] ? hex(keccak_256(keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES)).subarray(12)) : 'null';
      if (addr !== from[i]) wrong.push(`tx ${i}: want ${from[i]}, got ${addr}`);
    }
    expect(wrong).toEqual([]);
  }, limitFor(MAINNET_TXS_PER_BLOCK === Infinity ? 13_000 : 300));

  it('recoverAddresses hashes on the device: mainnet `from`s and keccak(noble key) on random input', async () => {
    const picked = await mainnetSenders(2);
    const mainnet = { sigs: picked.map((t) => t.sig), from: picked.map((t) => t.from) };
    const random: Signature[] = [];
    for (let i = 0; i < 96; i++) {
      const sk = secp256k1.utils.randomSecretKey();
      const rec = secp256k1.sign(randomBytes(32), sk, { prehash: false, format: 'recovered' });
      // Every third r is random: about half of those have no curve point, so both outcomes occur.
      const r = i % 3 === 0 ? randomBytes(32) : rec.subarray(1, 33);
      random.push({ hash: randomBytes(32), r, s: rec.subarray(33), recovery: (rec[0]! ^ (i & 1)) as 0 | 1 });
    }
    const sigs = [...mainnet.sigs, ...random];
    const batch = packSignatures(sigs);
    const { addresses, valid } = await kernel.recoverAddresses(batch);
    expect(addresses.length).toBe(sigs.length * ADDRESS_BYTES);
    const wrong: string[] = [];
    let validCount = 0;
    for (let i = 0; i < sigs.length; i++) {
      const key = recoverOneReference(batch.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES));
      const want = i < mainnet.from.length ? mainnet.from[i]! : key ? hex(keccak_256(key).subarray(12)) : 'null';
      const got = valid[i] ? hex(addresses.subarray(i * ADDRESS_BYTES, (i + 1) * ADDRESS_BYTES)) : 'null';
      if (got !== want) wrong.push(`item ${i}: want ${want}, got ${got}`);
      validCount += valid[i]!;
    }
    expect(wrong).toEqual([]);
    // Both outcomes occur, so neither a stuck valid flag nor a stuck invalid one would pass.
    expect(validCount).toBeGreaterThan(mainnet.from.length);
    expect(validCount).toBeLessThan(sigs.length);
  });

  it('rejects a recovery id other than 0 or 1 with InputError, naming the item', async () => {
    const batch = packSignatures([sig(1n, 2n, 3n, 0), sig(1n, 2n, 3n, 1)]);
    batch.records[SIG_RECORD_BYTES + 96] = 2;
    await expect(kernel.recover(batch)).rejects.toThrow(InputError);
    await expect(kernel.recover(batch)).rejects.toMatchObject({ index: 1 });
  });

  it('handles an empty batch, and concurrent calls (sharing the buffer pool) stay correct', async () => {
    const empty = await kernel.recover({ records: new Uint8Array(0), count: 0 });
    expect(empty.keys.length).toBe(0);
    expect(empty.valid.length).toBe(0);
    const batches = [5, 11].map((count) =>
      packSignatures(Array.from({ length: count }, () => {
        const { k, r, recovery } = pointWithSmallX();
        return sig(toBig(randomBytes(32)), r, modN(toBig(randomBytes(32)) * inv(k)) || 1n, recovery);
      })),
    );
    const [a, b] = await Promise.all([mismatches(batches[0]!, (i) => `a${i}`), mismatches(batches[1]!, (i) => `b${i}`)]);
    expect([...a!, ...b!]).toEqual([]);
  });

  it('throws BackendFaultError when the shader does not compile', async () => {
    const transformSource = (name: string, wgsl: string) => (name === 'ecrecover' ? wgsl.replace('fn jac_double', 'fn jac_double_broken') : wgsl);
    const broken = await gpuContextForTests({ faults: { transformSource } });
    try {
      await expect(RecoverKernel.create(broken, TUNING)).rejects.toThrow(BackendFaultError);
      await expect(RecoverKernel.create(broken, TUNING)).rejects.toThrow(/does not compile/);
    } finally {
      broken.destroy();
    }
  });

  // Last: it destroys the shared device.
  it('throws BackendFaultError when the device is lost mid-batch', async () => {
    const sigs = Array.from({ length: 64 }, () => sig(toBig(randomBytes(32)), pointWithSmallX().r, 12345n, 0));
    const pending = kernel.recover(packSignatures(sigs));
    ctx.device.destroy();
    await expect(pending).rejects.toThrow(BackendFaultError);
  });
});

const hex = (b: Uint8Array | null) => (b ? '0x' + Buffer.from(b).toString('hex') : 'null');


function isCurveX(x: bigint): boolean {
  const rhs = (x * x * x + 7n) % P;
  return powMod(rhs, (P - 1n) / 2n, P) !== P - 1n;
}
function inv(a: bigint): bigint {
  return powMod(modN(a), N - 2n, N);
}
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
