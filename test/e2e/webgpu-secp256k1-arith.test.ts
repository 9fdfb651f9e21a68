// The bottom layers of the secp256k1 WGSL library (field mod p, scalars mod n) on a real WebGPU
// device (SwiftShader in CI), against BigInt. The point layer is exercised through recovery in
// webgpu-secp256k1.test.ts, whose hand-made edges drive each exceptional branch of jac_add.
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleSecp256k1Shader } from '../../src/backends/webgpu/secp256k1/shader-files.js';
import { gpuDeviceForTests, runTestKernel } from '../helpers/gpu-device-for-tests.js';

const P = 2n ** 256n - 2n ** 32n - 977n;
const N = secp256k1.Point.Fn.ORDER;
const MASK256 = 2n ** 256n - 1n;

function toLimbs(v: bigint, out: Uint32Array, at: number): void {
  for (let i = 0; i < 16; i++) out[at + i] = Number((v >> BigInt(16 * i)) & 0xffffn);
}
function fromLimbs(w: Uint32Array, at: number): bigint {
  let v = 0n;
  for (let i = 15; i >= 0; i--) {
    const limb = w[at + i]!;
    if (limb > 0xffff) throw new Error(`limb ${i} not normalized: ${limb}`);
    v = (v << 16n) | BigInt(limb);
  }
  return v;
}
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function pow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
const rand256 = () => BigInt('0x' + randomBytes(32).toString('hex'));

let device: GPUDevice;
beforeAll(async () => {
  device = await gpuDeviceForTests();
});
afterAll(() => device?.destroy());

const FIELD_KERNEL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> inp: array<u32>;
@group(0) @binding(1) var<storage, read_write> outp: array<u32>;
fn ld(at: u32) -> Fe { var r: Fe; for (var i = 0u; i < 16u; i++) { r[i] = inp[at + i]; } return r; }
fn st(at: u32, v: Fe) { for (var i = 0u; i < 16u; i++) { outp[at + i] = v[i]; } }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inp) / 32u) { return; }
  let a = ld(i * 32u);
  let b = ld(i * 32u + 16u);
  let o = i * 208u;
  st(o, fe_canon(fe_mul(a, b)));
  st(o + 16u, fe_canon(fe_sqr(a)));
  st(o + 32u, fe_canon(fe_add(a, b)));
  st(o + 48u, fe_canon(fe_sub(a, b)));
  st(o + 64u, fe_canon(a));
  st(o + 80u, fe_canon(fe_inv(a)));
  st(o + 96u, fe_canon(fe_sqrt_candidate(a)));
  st(o + 112u, fe_canon(fe_mul_small(a, 0xffffu)));
  let ar = sc_reduce(a);
  let br = sc_reduce(b);
  st(o + 128u, ar);
  st(o + 144u, sc_mul(a, br));
  st(o + 160u, sc_neg(ar));
  if (sc_in_range(ar)) { st(o + 176u, sc_inv(ar)); } else { st(o + 176u, fe_zero()); }
  outp[o + 192u] = select(0u, 1u, sc_in_range(a));
  outp[o + 193u] = select(0u, 1u, fe_is_zero(a));
  outp[o + 194u] = select(0u, 1u, fe_equal(a, b));
}`;

describe('secp256k1 WGSL field and scalar arithmetic', () => {
  it('matches BigInt on edge and random operands', async () => {
    const edges = [0n, 1n, 2n, P - 1n, P, P + 1n, MASK256, MASK256 - 1n, N - 1n, N, N + 1n, 2n ** 255n, 2n ** 32n + 977n, 0xffffn];
    const pairs: [bigint, bigint][] = [];
    for (const a of edges) for (const b of edges) pairs.push([a, b]);
    for (let i = 0; i < 300; i++) pairs.push([rand256(), i % 3 === 0 ? rand256() % P : rand256()]);
    for (let i = 0; i < 20; i++) { const a = rand256(); pairs.push([a, a]); pairs.push([a, a + P <= MASK256 ? a + P : a - P < 0n ? a : a - P]); }
    const input = new Uint32Array(pairs.length * 32);
    pairs.forEach(([a, b], i) => { toLimbs(a, input, i * 32); toLimbs(b, input, i * 32 + 16); });
    const out = await runTestKernel(device, assembleSecp256k1Shader(FIELD_KERNEL), input, pairs.length, 208);
    pairs.forEach(([a, b], i) => {
      const o = i * 208;
      const got = (k: number) => fromLimbs(out, o + 16 * k);
      const ctx = `a=${a.toString(16)} b=${b.toString(16)}`;
      expect(got(0), `mul ${ctx}`).toBe(mod(a * b, P));
      expect(got(1), `sqr ${ctx}`).toBe(mod(a * a, P));
      expect(got(2), `add ${ctx}`).toBe(mod(a + b, P));
      expect(got(3), `sub ${ctx}`).toBe(mod(a - b, P));
      expect(got(4), `canon ${ctx}`).toBe(mod(a, P));
      expect(got(5), `inv ${ctx}`).toBe(pow(a, P - 2n, P));
      expect(got(6), `sqrt ${ctx}`).toBe(pow(a, (P + 1n) / 4n, P));
      expect(got(7), `mul_small ${ctx}`).toBe(mod(a * 0xffffn, P));
      const ar = mod(a, N);
      const br = mod(b, N);
      expect(got(8), `sc_reduce ${ctx}`).toBe(ar);
      expect(got(9), `sc_mul ${ctx}`).toBe(mod(a * br, N));
      expect(got(10), `sc_neg ${ctx}`).toBe(mod(-ar, N));
      expect(got(11), `sc_inv ${ctx}`).toBe(ar === 0n ? 0n : pow(ar, N - 2n, N));
      expect(out[o + 192], `sc_in_range ${ctx}`).toBe(a > 0n && a < N ? 1 : 0);
      expect(out[o + 193], `fe_is_zero ${ctx}`).toBe(mod(a, P) === 0n ? 1 : 0);
      expect(out[o + 194], `fe_equal ${ctx}`).toBe(mod(a - b, P) === 0n ? 1 : 0);
    });
  });
});
