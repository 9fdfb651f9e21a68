/** A seeded generator (xorshift128+), so a failing random case can be reproduced from its seed. */
export class SeededRandom {
  private a: bigint;
  private b: bigint;
  constructor(seed: number) {
    this.a = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
    this.b = (BigInt(seed) ^ 0x5deece66dn) * 0xbf58476d1ce4e5b9n + 7n;
    for (let i = 0; i < 8; i++) this.next64();
  }
  private next64(): bigint {
    const M = (1n << 64n) - 1n;
    let s1 = this.a;
    const s0 = this.b;
    this.a = s0;
    s1 ^= (s1 << 23n) & M;
    this.b = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.b + s0) & M;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      let x = this.next64();
      for (let k = 0; k < 8 && i + k < n; k++, x >>= 8n) out[i + k] = Number(x & 0xffn);
    }
    return out;
  }
}

/** Message lengths every Keccak test must cover: each side of every rate (136-byte) boundary. */
export function keccakBoundaryLengths(max: number): number[] {
  const lens = new Set<number>([0, 1, 31, 32, 33, 63, 64, 65]);
  for (let k = 136; k <= max + 1; k += 136) for (const d of [-2, -1, 0, 1, 2]) if (k + d <= max) lens.add(k + d);
  return [...lens].sort((x, y) => x - y);
}
