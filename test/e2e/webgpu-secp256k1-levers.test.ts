// The recovery kernel's speed levers, checked on a real WebGPU device (SwiftShader in CI):
// - the op-count build (exact operation counts per phase) shows each lever in place: the addition
//   chains' squarings, GLV's 130 doublings, the table's and the G phase's additions, one inversion
//   per workgroup;
// - the levers turned down for the benchmark's variant rows (no GLV, a narrower window) still
//   recover exactly, so the variants measure speed and nothing else.
// Each kernel here is one more compile (minutes on SwiftShader), so the batches are small.
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverOneReference } from '../../src/backends/cpu/js-backend.js';
import { resolveWebGpuOptions } from '../../src/backends/webgpu/config.js';
import type { GpuContext } from '../../src/backends/webgpu/device.js';
import { OP_PHASES } from '../../src/backends/webgpu/secp256k1/op-count.js';
import { RecoverKernel } from '../../src/backends/webgpu/secp256k1/recover-kernel.js';
import { PUBKEY_BYTES, SIG_RECORD_BYTES, packSignatures, type PackedSignatures } from '../../src/runtime/packing.js';
import type { Signature } from '../../src/runtime/types.js';
import { toBytes32 } from '../helpers/conformance.js';
import { glvEdgeScalars } from '../helpers/glv-scalars.js';
import { gpuContextForTests } from '../helpers/gpu-device-for-tests.js';

const N = secp256k1.Point.Fn.ORDER;
const TUNING = resolveWebGpuOptions().ecrecover;
const modN = (a: bigint) => ((a % N) + N) % N;

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContextForTests();
});
afterAll(() => ctx?.destroy());

function validSignatures(count: number): Signature[] {
  return Array.from({ length: count }, () => {
    const hash = randomBytes(32);
    const rec = secp256k1.sign(hash, secp256k1.utils.randomSecretKey(), { prehash: false, format: 'recovered' });
    return { hash, r: rec.subarray(1, 33), s: rec.subarray(33), recovery: rec[0]! as 0 | 1 };
  });
}

async function mismatches(kernel: RecoverKernel, batch: PackedSignatures): Promise<string[]> {
  const { keys, valid } = await kernel.recover(batch);
  const bad: string[] = [];
  for (let i = 0; i < batch.count; i++) {
    const want = recoverOneReference(batch.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES));
    const got = valid[i] ? keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES) : null;
    const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : 'null');
    if (hex(got) !== hex(want)) bad.push(`item ${i}: want ${hex(want)}, got ${hex(got)}`);
  }
  return bad;
}

describe('secp256k1 recovery levers', () => {
  it('op counts show each lever in place', async () => {
    const kernel = await RecoverKernel.create(ctx, TUNING, { countOps: true });
    try {
      const items = 24;
      expect(await mismatches(kernel, packSignatures(validSignatures(items)))).toEqual([]);
      const c = await kernel.opCounts();
      const per = (phase: (typeof OP_PHASES)[number], kind: keyof (typeof c)['sqrt']) => c[phase][kind] / items;
      // Square root by addition chain: 253 squarings + 13 multiplications, plus r^2, r^3 and the
      // check of y^2 (a 4-bit window took 252 squarings and 76 multiplications).
      expect(per('sqrt', 'fieldSqr')).toBe(255);
      expect(per('sqrt', 'fieldMul')).toBe(14);
      // GLV: two 129-bit halves share the doublings (u2 whole took 256).
      expect(per('split', 'scalarMul')).toBe(6);
      expect(per('multiplyR', 'pointDouble')).toBeLessThanOrEqual(132);
      expect(per('multiplyR', 'pointDouble')).toBeGreaterThan(115);
      // Radix-16 digits of both halves: 33 windows, an addition for each nonzero digit.
      expect(per('multiplyR', 'pointAdd')).toBeLessThanOrEqual(66);
      // The table 1R..8R: one doubling, 6 additions, no inversion.
      expect(per('table', 'pointDouble')).toBe(1);
      expect(per('table', 'pointAdd')).toBe(6);
      // The fixed-base table for G: one addition per nonzero byte of u1, no doubling.
      expect(per('multiplyG', 'pointAdd')).toBeLessThanOrEqual(32);
      expect(per('multiplyG', 'pointDouble')).toBe(0);
      // One inversion per workgroup (one here: items < batch size) for r^-1 and for 1/Z: the
      // inversion's 255 squarings appear once, not per item (each item adds one, for 1/Z^2), and
      // the scalar one (about 330 products) once beside the tree's few per lane.
      expect(c.finish.fieldSqr).toBe(255 + items);
      expect(c.prepare.scalarMul).toBeLessThan(3 * items + 4 * TUNING.batchWorkgroupSize + 400);
    } finally {
      kernel.destroy();
    }
  });

  it('recovers exactly with the levers turned down (no GLV, radix-8 digits), as the benchmark variants run them', async () => {
    const kernel = await RecoverKernel.create(ctx, TUNING, { levers: { glv: false, window: 3 } });
    try {
      // u2 over the split's edge scalars (unused here, so a regression in the variant shows), plus
      // random valid signatures.
      const sigs: Signature[] = glvEdgeScalars(2000, 0)
        .filter(({ k }) => k !== 0n)
        .map(({ k: u2 }) => {
          for (;;) {
            const k = modN(BigInt('0x' + randomBytes(32).toString('hex'))) || 1n;
            const { x, y } = secp256k1.Point.BASE.multiply(k).toAffine();
            if (x < N) return { hash: toBytes32(modN(-3n * x)), r: toBytes32(x), s: toBytes32(modN(u2 * x)), recovery: Number(y & 1n) as 0 | 1 };
          }
        });
      sigs.push(...validSignatures(16));
      expect(await mismatches(kernel, packSignatures(sigs))).toEqual([]);
    } finally {
      kernel.destroy();
    }
  });

  it('rejects a window outside 2..5', async () => {
    await expect(RecoverKernel.create(ctx, TUNING, { levers: { window: 6 } })).rejects.toThrow(RangeError);
    await expect(RecoverKernel.create(ctx, { ...TUNING, batchWorkgroupSize: 96 })).rejects.toThrow(/power of two/);
  });
});
