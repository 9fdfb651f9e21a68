/**
 * Writes the WGSL text of the Keccak-f[1600] permutation in its two lane layouts. WGSL has no
 * macros and no 64-bit integers, and the permutation only stays in registers when every state
 * word is a scalar addressed by a constant, so the round body is spelled out in full: by this
 * generator rather than by hand. Its output is committed as `shaders/keccak/keccak_f1600.wgsl` and
 * `shaders/keccak/lanes_interleaved.wgsl`; `test/unit/webgpu-keccak-codegen.test.ts` fails when the
 * files drift from it and rewrites them when run with `EVM_ACCEL_REGEN_WGSL=1`.
 */

/** Rotation offsets r[x][y] of Keccak's ρ step. */
const RHO: readonly (readonly number[])[] = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

/** The 24 round constants of ι, as 64-bit values. */
function roundConstants(): bigint[] {
  // The LFSR of FIPS 202 §3.2.5, so no table is copied in by hand.
  const out: bigint[] = [];
  let r = 1;
  const rcBit = (): number => {
    const bit = r & 1;
    r = r & 0x80 ? ((r << 1) ^ 0x71) & 0xff : (r << 1) & 0xff;
    return bit;
  };
  for (let round = 0; round < 24; round++) {
    let rc = 0n;
    for (let j = 0; j < 7; j++) if (rcBit()) rc |= 1n << BigInt((1 << j) - 1);
    out.push(rc);
  }
  return out;
}

/** Even bits of a 64-bit value packed into 32 bits, odd bits likewise. */
export function interleave64(v: bigint): [number, number] {
  let even = 0;
  let odd = 0;
  for (let k = 0; k < 32; k++) {
    even |= Number((v >> BigInt(2 * k)) & 1n) << k;
    odd |= Number((v >> BigInt(2 * k + 1)) & 1n) << k;
  }
  return [even >>> 0, odd >>> 0];
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}u`;
const lane = (x: number, y: number): number => x + 5 * y;

/** A 64-bit lane as two WGSL expressions, [word 0, word 1]. */
type Pair = [string, string];

/** Left rotation of a 32-bit expression by a constant. */
function rot32(e: string, n: number): string {
  n &= 31;
  return n === 0 ? e : `((${e} << ${n}u) | (${e} >> ${32 - n}u))`;
}

/** How one layout rotates a lane by a constant. */
type Rotate64 = (p: Pair, n: number) => Pair;

/** Plain layout: word 0 = low 32 bits, word 1 = high 32 bits. */
const rotPlain: Rotate64 = ([lo, hi], n) => {
  if (n === 0) return [lo, hi];
  if (n >= 32) [lo, hi, n] = [hi, lo, n - 32];
  if (n === 0) return [lo, hi];
  return [`((${lo} << ${n}u) | (${hi} >> ${32 - n}u))`, `((${hi} << ${n}u) | (${lo} >> ${32 - n}u))`];
};

/** Bit-interleaved layout: word 0 = even bits, word 1 = odd bits; every rotation is two 32-bit ones. */
const rotInterleaved: Rotate64 = ([even, odd], n) =>
  n % 2 === 0 ? [rot32(even, n / 2), rot32(odd, n / 2)] : [rot32(odd, (n + 1) / 2), rot32(even, (n - 1) / 2)];

/**
 * The permutation's body over 50 scalar variables a0..a49 (lane i in a{2i}, a{2i+1}), with the
 * round constant read from `rc` (a 48-entry const array, two words per round).
 */
function permutationBody(rot: Rotate64, rc: string, indent: string): string {
  const L: string[] = [];
  const a = (i: number): Pair => [`a${2 * i}`, `a${2 * i + 1}`];
  L.push(`for (var round = 0u; round < 24u; round++) {`);
  // θ
  for (let x = 0; x < 5; x++) {
    for (let w = 0; w < 2; w++) {
      const terms = [0, 1, 2, 3, 4].map((y) => a(lane(x, y))[w]).join(' ^ ');
      L.push(`  let c${x}_${w} = ${terms};`);
    }
  }
  for (let x = 0; x < 5; x++) {
    const r = rot([`c${(x + 1) % 5}_0`, `c${(x + 1) % 5}_1`], 1);
    L.push(`  let d${x}_0 = c${(x + 4) % 5}_0 ^ ${r[0]};`);
    L.push(`  let d${x}_1 = c${(x + 4) % 5}_1 ^ ${r[1]};`);
  }
  // θ applied, then ρ and π into b: B[y, 2x+3y] = rot(A[x,y] ^ D[x], r[x][y])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const [w0, w1] = a(lane(x, y));
      const r = rot([`(${w0} ^ d${x}_0)`, `(${w1} ^ d${x}_1)`], RHO[x]![y]!);
      const dst = lane(y, (2 * x + 3 * y) % 5);
      L.push(`  let b${dst}_0 = ${r[0]};`);
      L.push(`  let b${dst}_1 = ${r[1]};`);
    }
  }
  // χ
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const i = lane(x, y);
      const j = lane((x + 1) % 5, y);
      const k = lane((x + 2) % 5, y);
      for (let w = 0; w < 2; w++) L.push(`  a${2 * i + w} = b${i}_${w} ^ (~b${j}_${w} & b${k}_${w});`);
    }
  }
  // ι
  L.push(`  a0 ^= ${rc}[2u * round];`);
  L.push(`  a1 ^= ${rc}[2u * round + 1u];`);
  L.push(`}`);
  return L.map((l) => indent + l).join('\n');
}

function permutationFunction(name: string, rot: Rotate64, rcName: string, rcWords: number[]): string {
  const rcTable = rcWords.map(hex).join(', ');
  const load = Array.from({ length: 50 }, (_, i) => `  var a${i} = (*s)[${i}];`).join('\n');
  const store = Array.from({ length: 50 }, (_, i) => `  (*s)[${i}] = a${i};`).join('\n');
  return `const ${rcName} = array<u32, 48>(${rcTable});

fn ${name}(s: ptr<function, array<u32, 50>>) {
  // Scalars, not the array: every word has a register of its own across the 24 rounds.
${load}
${permutationBody(rot, rcName, '  ')}
${store}
}
`;
}

const HEADER = `// GENERATED by src/backends/webgpu/keccak-codegen.ts: do not edit by hand (see that file).\n`;

/**
 * `shaders/keccak/keccak_f1600.wgsl`: the reusable permutation, plain layout, no bindings:
 * lane i is s[2i] (low 32 bits) and s[2i+1] (high 32 bits).
 */
export function keccakF1600PlainWgsl(): string {
  const rc = roundConstants().flatMap((v) => [Number(v & 0xffffffffn), Number(v >> 32n)]);
  return (
    HEADER +
    `// Keccak-f[1600] on 64-bit lanes held as u32 pairs: lane i = s[2i] (low 32 bits) | s[2i+1] << 32.\n` +
    `// No bindings: other shaders are concatenated with this file (WGSL has no includes).\n\n` +
    permutationFunction('keccak_f1600', rotPlain, 'KECCAK_RC', rc)
  );
}

/**
 * `shaders/keccak/lanes_interleaved.wgsl`: the permutation on bit-interleaved lanes (word 0 =
 * even bits, word 1 = odd bits, so a 64-bit rotation is two 32-bit ones) plus the lane-layout
 * hooks `keccak_lane_in`, `keccak_lane_out` and `keccak_permute` that `shaders/keccak256.wgsl`
 * calls; `shaders/keccak/lanes_plain.wgsl` provides the same three for the plain layout.
 */
export function keccakLanesInterleavedWgsl(): string {
  const rc = roundConstants().flatMap((v) => interleave64(v));
  return (
    HEADER +
    `// Lane layout "interleaved": each 64-bit lane is kept as (even bits, odd bits) inside the\n` +
    `// permutation; messages are converted on absorb and digests on squeeze.\n\n` +
    permutationFunction('keccak_f1600_interleaved', rotInterleaved, 'KECCAK_RC_INTERLEAVED', rc) +
    `
// Moves the even bits of x to its low half and the odd bits to its high half (delta swaps).
fn keccak_unshuffle32(v: u32) -> u32 {
  var x = v;
  var t = (x ^ (x >> 1u)) & 0x22222222u; x = x ^ t ^ (t << 1u);
  t = (x ^ (x >> 2u)) & 0x0c0c0c0cu; x = x ^ t ^ (t << 2u);
  t = (x ^ (x >> 4u)) & 0x00f000f0u; x = x ^ t ^ (t << 4u);
  t = (x ^ (x >> 8u)) & 0x0000ff00u; x = x ^ t ^ (t << 8u);
  return x;
}

// Inverse of keccak_unshuffle32.
fn keccak_shuffle32(v: u32) -> u32 {
  var x = v;
  var t = (x ^ (x >> 8u)) & 0x0000ff00u; x = x ^ t ^ (t << 8u);
  t = (x ^ (x >> 4u)) & 0x00f000f0u; x = x ^ t ^ (t << 4u);
  t = (x ^ (x >> 2u)) & 0x0c0c0c0cu; x = x ^ t ^ (t << 2u);
  t = (x ^ (x >> 1u)) & 0x22222222u; x = x ^ t ^ (t << 1u);
  return x;
}

// (low 32 bits, high 32 bits) of a lane -> (even bits, odd bits).
fn keccak_lane_in(lo: u32, hi: u32) -> vec2<u32> {
  let l = keccak_unshuffle32(lo);
  let h = keccak_unshuffle32(hi);
  return vec2<u32>((l & 0xffffu) | (h << 16u), (l >> 16u) | (h & 0xffff0000u));
}

// (even bits, odd bits) -> (low 32 bits, high 32 bits).
fn keccak_lane_out(v: vec2<u32>) -> vec2<u32> {
  let l = (v.x & 0xffffu) | (v.y << 16u);
  let h = (v.x >> 16u) | (v.y & 0xffff0000u);
  return vec2<u32>(keccak_shuffle32(l), keccak_shuffle32(h));
}

fn keccak_permute(s: ptr<function, array<u32, 50>>) {
  keccak_f1600_interleaved(s);
}
`
  );
}
