import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';

const N = secp256k1.Point.Fn.ORDER;
/** The GLV eigenvalue the shaders use: λ·(x, y) = (β·x, y). */
export const LAMBDA = 0x5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72n;
const A1 = 0x3086d221a7d46bcde86c90e49284eb15n;
const B1 = -0xe4437ed6010e88286f547fa90abfe4c3n;
const A2 = 0x114ca50f7a8e2f3f657c1108d9d44cfd8n;
const B2 = A1;

const mod = (a: bigint) => ((a % N) + N) % N;
const abs = (v: bigint) => (v < 0n ? -v : v);

/** The exact-rounding split (as @noble/curves): k = k1 + k2·λ (mod n). */
export function glvSplit(k: bigint): [bigint, bigint] {
  const c1 = (k * B2 * 2n + N) / (2n * N);
  const c2 = (k * -B1 * 2n + N) / (2n * N);
  return [k - c1 * A1 - c2 * A2, -c1 * B1 - c2 * B2];
}

/**
 * Scalars where a GLV split can go wrong, labelled: 0, 1, n − 1, λ and its neighbours, powers of
 * two at the halves' width; both sides of the points where b2·k/n or −b1·k/n is a half-integer
 * (where a split that rounds by precomputed 2^384 ratios may differ from the exact one); the
 * scalars with the largest halves among `searched` random ones (the halves' bounds are approached
 * there); and `randomCount` random ones.
 */
export function glvEdgeScalars(searched: number, randomCount: number): { label: string; k: bigint }[] {
  const out: { label: string; k: bigint }[] = [];
  const add = (label: string, k: bigint) => out.push({ label, k: mod(k) });
  for (const [label, k] of [
    ['0', 0n], ['1', 1n], ['2', 2n], ['n − 1', N - 1n], ['n − 2', N - 2n], ['λ', LAMBDA], ['n − λ', N - LAMBDA],
    ['λ²', LAMBDA * LAMBDA], ['λ + 1', LAMBDA + 1n], ['2^128', 2n ** 128n], ['2^128 − 1', 2n ** 128n - 1n],
    ['2^129', 2n ** 129n], ['(n − 1)/2', (N - 1n) / 2n], ['(n + 1)/2', (N + 1n) / 2n], ['2^255', 2n ** 255n],
  ] as const) add(label, k);
  for (let m = 1n; m <= 4n; m++) {
    for (const [name, b] of [['b2', B2], ['−b1', -B1]] as const) {
      const k = ((2n * m + 1n) * N) / (2n * b);
      for (const d of [-1n, 0n, 1n, 2n]) add(`${name}·k/n ≈ ${m} + 1/2 (${d >= 0n ? '+' : ''}${d})`, k + d);
    }
  }
  const candidates = Array.from({ length: searched }, () => mod(BigInt('0x' + randomBytes(32).toString('hex'))));
  for (const half of [0, 1]) {
    const largest = [...candidates].sort((x, y) => (abs(glvSplit(y)[half]!) > abs(glvSplit(x)[half]!) ? 1 : -1));
    largest.slice(0, 6).forEach((k, i) => add(`largest |k${half + 1}| #${i}`, k));
  }
  for (let i = 0; i < randomCount; i++) add(`random #${i}`, BigInt('0x' + randomBytes(32).toString('hex')));
  return out;
}
