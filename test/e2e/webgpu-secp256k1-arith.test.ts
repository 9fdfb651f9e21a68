// The bottom layers of the secp256k1 WGSL library (field mod p in 13-bit limbs, scalars mod n, the
// GLV split and its signed digits) on a real WebGPU device (SwiftShader in CI), against BigInt. The
// point layer is exercised through recovery in webgpu-secp256k1.test.ts, whose hand-made edges
// drive each exceptional branch of the point formulas.
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleSecp256k1Shader } from '../../src/backends/webgpu/secp256k1/shader-files.js';
import { glvEdgeScalars, LAMBDA } from '../helpers/glv-scalars.js';
import { gpuDeviceForTests, runTestKernel } from '../helpers/gpu-device-for-tests.js';

const P = 2n ** 256n - 2n ** 32n - 977n;
const N = secp256k1.Point.Fn.ORDER;
const MASK256 = 2n ** 256n - 1n;
/** Every Fe limb a function returns is at most this (field.wgsl's invariant). */
const LIMB_MAX = 2 ** 13;

function toLimbs(v: bigint, out: Uint32Array, at: number, bits = 16, count = 16): void {
  for (let i = 0; i < count; i++) out[at + i] = Number((v >> BigInt(bits * i)) & ((1n << BigInt(bits)) - 1n));
}
function fromLimbs(w: Uint32Array, at: number, bits = 16, count = 16): bigint {
  let v = 0n;
  for (let i = count - 1; i >= 0; i--) {
    const limb = w[at + i]!;
    if (limb >= 2 ** bits) throw new Error(`limb ${i} not normalized: ${limb}`);
    v = (v << BigInt(bits)) | BigInt(limb);
  }
  return v;
}
/** A raw 13-bit-limb element: limb values in [0, 2^13], 2^13 itself included, as the shader allows. */
function rawValue(limbs: number[]): bigint {
  return limbs.reduceRight((v, l) => (v << 13n) + BigInt(l), 0n);
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
fn ld(at: u32) -> Sc { var r: Sc; for (var i = 0u; i < 16u; i++) { r[i] = inp[at + i]; } return r; }
fn st(at: u32, v: Sc) { for (var i = 0u; i < 16u; i++) { outp[at + i] = v[i]; } }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inp) / 32u) { return; }
  let a = ld(i * 32u);
  let b = ld(i * 32u + 16u);
  let fa = fe_from_sc(a);
  let fb = fe_from_sc(b);
  let o = i * 208u;
  st(o, fe_to_sc(fe_mul(fa, fb)));
  st(o + 16u, fe_to_sc(fe_sqr(fa)));
  st(o + 32u, fe_to_sc(fe_add(fa, fb)));
  st(o + 48u, fe_to_sc(fe_sub(fa, fb)));
  st(o + 64u, fe_to_sc(fa));
  st(o + 80u, fe_to_sc(fe_inv(fa)));
  st(o + 96u, fe_to_sc(fe_sqrt_candidate(fa)));
  st(o + 112u, fe_to_sc(fe_mul_small(fa, 0xffffu)));
  let ar = sc_reduce(a);
  let br = sc_reduce(b);
  st(o + 128u, ar);
  st(o + 144u, sc_mont_mul(sc_to_mont(a), br));
  st(o + 160u, sc_neg(ar));
  if (sc_in_range(ar)) { st(o + 176u, sc_mont_mul(sc_mont_inv(sc_to_mont(ar)), SC_ONE)); } else { st(o + 176u, Sc()); }
  outp[o + 192u] = select(0u, 1u, sc_in_range(a));
  outp[o + 193u] = select(0u, 1u, fe_is_zero(fa));
  outp[o + 194u] = select(0u, 1u, fe_equal(fa, fb));
  outp[o + 195u] = select(0u, 1u, fe_is_odd(fa));
}
const SC_ONE = Sc(1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);`;

// Operands as raw limbs, anywhere the invariant allows (up to 2^13 per limb, values past 2^260):
// the outputs must be back within the invariant and congruent to the exact result.
const RAW_KERNEL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> inp: array<u32>;
@group(0) @binding(1) var<storage, read_write> outp: array<u32>;
fn ld(at: u32) -> Fe { var r: Fe; for (var i = 0u; i < 20u; i++) { r[i] = inp[at + i]; } return r; }
fn st(at: u32, v: Fe) { for (var i = 0u; i < 20u; i++) { outp[at + i] = v[i]; } }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inp) / 40u) { return; }
  let a = ld(i * 40u);
  let b = ld(i * 40u + 20u);
  let o = i * 144u;
  st(o, fe_mul(a, b));
  st(o + 20u, fe_sqr(a));
  st(o + 40u, fe_add(a, b));
  st(o + 60u, fe_sub(a, b));
  st(o + 80u, fe_mul_small(a, 8u));
  st(o + 100u, fe_neg(a));
  let c = fe_to_sc(a);
  for (var k = 0u; k < 16u; k++) { outp[o + 120u + k] = c[k]; }
  outp[o + 136u] = select(0u, 1u, fe_is_zero(a));
  outp[o + 137u] = select(0u, 1u, fe_is_odd(a));
}`;

const GLV_KERNEL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> inp: array<u32>;
@group(0) @binding(1) var<storage, read_write> outp: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&inp) / 16u) { return; }
  var k: Sc;
  for (var j = 0u; j < 16u; j++) { k[j] = inp[i * 16u + j]; }
  let h = glv_split(k);
  let o = i * 93u;
  for (var c = 0u; c < 2u; c++) {
    for (var j = 0u; j < 16u; j++) { outp[o + 17u * c + j] = h[c].mag[j]; }
    outp[o + 17u * c + 16u] = select(0u, 1u, h[c].neg);
  }
  // Booth digits of the first half, radix 2^5, offset by 16.
  for (var w = 0u; w < 26u; w++) { outp[o + 34u + w] = u32(booth_digit(h[0].mag, w, 5u) + 16i); }
  // ... and radix 2^4.
  for (var w = 0u; w < 33u; w++) { outp[o + 60u + w] = u32(booth_digit(h[1].mag, w, 4u) + 8i); }
}`;

describe('secp256k1 WGSL field and scalar arithmetic', () => {
  it('matches BigInt on edge and random operands', async () => {
    const edges = [0n, 1n, 2n, P - 1n, P, P + 1n, MASK256, MASK256 - 1n, N - 1n, N, N + 1n, 2n ** 255n, 2n ** 32n + 977n, 0xffffn, 2n ** 247n - 1n, 2n ** 247n];
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
      expect(got(9), `sc_mont_mul ${ctx}`).toBe(mod(a * br, N));
      expect(got(10), `sc_neg ${ctx}`).toBe(mod(-ar, N));
      expect(got(11), `sc_mont_inv ${ctx}`).toBe(ar === 0n ? 0n : pow(ar, N - 2n, N));
      expect(out[o + 192], `sc_in_range ${ctx}`).toBe(a > 0n && a < N ? 1 : 0);
      expect(out[o + 193], `fe_is_zero ${ctx}`).toBe(mod(a, P) === 0n ? 1 : 0);
      expect(out[o + 194], `fe_equal ${ctx}`).toBe(mod(a - b, P) === 0n ? 1 : 0);
      expect(out[o + 195], `fe_is_odd ${ctx}`).toBe(Number(mod(a, P) & 1n));
    });
  });

  it('keeps 13-bit limbs within the invariant from operands at its extremes', async () => {
    const full = Array(20).fill(LIMB_MAX);
    const ones = Array(20).fill(LIMB_MAX - 1);
    const limbsOf = (v: bigint) => Array.from({ length: 20 }, (_, i) => Number((v >> BigInt(13 * i)) & 0x1fffn));
    const edges = [full, ones, Array(20).fill(0), limbsOf(P - 1n), limbsOf(P + 1n), limbsOf(2n ** 260n - 1n)];
    // Every multiple of p the invariant can hold (up to 16p) is zero.
    for (let m = 1n; m <= 16n; m++) edges.push(limbsOf(m * P));
    const randomLimbs = () => Array.from({ length: 20 }, () => (Math.random() < 0.2 ? LIMB_MAX : Math.floor(Math.random() * (LIMB_MAX + 1))));
    const pairs: [number[], number[]][] = [];
    for (const a of edges) for (const b of edges) pairs.push([a, b]);
    for (let i = 0; i < 200; i++) pairs.push([randomLimbs(), i % 2 ? randomLimbs() : full]);
    const input = new Uint32Array(pairs.length * 40);
    pairs.forEach(([a, b], i) => { input.set(a, i * 40); input.set(b, i * 40 + 20); });
    const out = await runTestKernel(device, assembleSecp256k1Shader(RAW_KERNEL), input, pairs.length, 144);
    pairs.forEach(([al, bl], i) => {
      const a = rawValue(al);
      const b = rawValue(bl);
      const o = i * 144;
      const ctx = `a=[${al.join(',')}] b=[${bl.join(',')}]`;
      const raw = (k: number) => {
        const limbs = Array.from(out.subarray(o + 20 * k, o + 20 * k + 20));
        expect(Math.max(...limbs), `limb bound, output ${k}, ${ctx}`).toBeLessThanOrEqual(LIMB_MAX);
        return mod(rawValue(limbs), P);
      };
      expect(raw(0), `mul ${ctx}`).toBe(mod(a * b, P));
      expect(raw(1), `sqr ${ctx}`).toBe(mod(a * a, P));
      expect(raw(2), `add ${ctx}`).toBe(mod(a + b, P));
      expect(raw(3), `sub ${ctx}`).toBe(mod(a - b, P));
      expect(raw(4), `mul_small ${ctx}`).toBe(mod(8n * a, P));
      expect(raw(5), `neg ${ctx}`).toBe(mod(-a, P));
      expect(fromLimbs(out, o + 120), `canon ${ctx}`).toBe(mod(a, P));
      expect(out[o + 136], `is_zero ${ctx}`).toBe(mod(a, P) === 0n ? 1 : 0);
      expect(out[o + 137], `is_odd ${ctx}`).toBe(Number(mod(a, P) & 1n));
    });
  });
});

describe('GLV split and signed digits', () => {
  it('splits k into k1 + k2·λ (mod n) with halves below 2^129, and Booth digits that sum back', async () => {
    const cases = glvEdgeScalars(20000, 150);
    const input = new Uint32Array(cases.length * 16);
    cases.forEach(({ k }, i) => toLimbs(k, input, i * 16));
    const out = await runTestKernel(device, assembleSecp256k1Shader(GLV_KERNEL), input, cases.length, 93);
    cases.forEach(({ label, k }, i) => {
      const o = i * 93;
      const ctx = `k = ${label} (${k.toString(16)})`;
      const half = (c: number) => {
        const mag = fromLimbs(out, o + 17 * c);
        expect(mag < 2n ** 129n, `|k${c + 1}| < 2^129 for ${ctx}`).toBe(true);
        return out[o + 17 * c + 16] ? -mag : mag;
      };
      const k1 = half(0);
      const k2 = half(1);
      expect(mod(k1 + k2 * LAMBDA - k, N), `k1 + k2·λ = k for ${ctx}`).toBe(0n);
      const booth = (at: number, windows: number, width: number) =>
        Array.from(out.subarray(o + at, o + at + windows)).reduceRight((acc, d) => (acc << BigInt(width)) + BigInt(d - 2 ** (width - 1)), 0n);
      expect(booth(34, 26, 5), `radix-32 digits of |k1|, ${ctx}`).toBe(k1 < 0n ? -k1 : k1);
      expect(booth(60, 33, 4), `radix-16 digits of |k2|, ${ctx}`).toBe(k2 < 0n ? -k2 : k2);
    });
  });
});
