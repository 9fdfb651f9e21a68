// Helpers shared by the cpu-native suites (not a test file itself).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * A seeded generator (xorshift128, 32-bit lanes: fast enough to fill tens of MB), so that a failing
 * random case can be replayed: the suites print their seed, and EVM_ACCEL_TEST_SEED sets it.
 */
export class Rng {
  private x: number;
  private y = 362436069;
  private z = 521288629;
  private w = 88675123;
  constructor(readonly seed: number) {
    this.x = (seed ^ 123456789) >>> 0 || 1;
    for (let i = 0; i < 32; i++) this.next32();
  }

  next32(): number {
    const t = (this.x ^ (this.x << 11)) >>> 0;
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /** Integer in [0, n), n ≤ 2^32 (the slight modulo bias does not matter for test inputs). */
  int(n: number): number {
    return this.next32() % n;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const words = new Uint32Array(out.buffer, 0, n >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = this.next32();
    for (let i = words.length * 4; i < n; i++) out[i] = this.next32() & 0xff;
    return out;
  }
}

/** The seed for this run: EVM_ACCEL_TEST_SEED or a fresh one. */
export function testSeed(): number {
  const fixed = process.env['EVM_ACCEL_TEST_SEED'];
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(h: string, bytes?: number): Uint8Array {
  const s = h.startsWith('0x') ? h.slice(2) : h;
  return new Uint8Array(Buffer.from(bytes ? s.padStart(2 * bytes, '0') : s, 'hex'));
}

export function bigToBytes32(v: bigint): Uint8Array {
  return fromHex(v.toString(16), 32);
}

export function readGzipJson<T>(relativeToRepo: string): T {
  const url = new URL(`../../${relativeToRepo}`, import.meta.url);
  return JSON.parse(gunzipSync(readFileSync(url)).toString('utf8')) as T;
}

/**
 * Counts event-loop turns while `work` runs: a native call that blocked the JS thread would let
 * no timer fire at all.
 */
export async function ticksDuring<T>(work: () => Promise<T>, intervalMs = 2): Promise<{ result: T; ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, intervalMs);
  const t0 = performance.now();
  try {
    const result = await work();
    return { result, ticks, ms: performance.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}
