/**
 * Writes the WGSL text of the Keccak-f[1600] permutation in its two lane layouts. WGSL has no
 * macros and no 64-bit integers, and the permutation only stays in registers when every state
 * word is a scalar addressed by a constant, so the round body is spelled out in full: by this
 * generator rather than by hand. Its output is committed under `shaders/keccak/` (see
 * {@link PERMUTATION_FILES}); `test/unit/webgpu-keccak-codegen.test.ts` fails when the files
 * drift from it and rewrites them when run with `EVM_ACCEL_REGEN_WGSL=1`.
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

/** One round over 50 scalar variables a0..a49 (lane i in a{2i}, a{2i+1}); `rc` = ι's two words. */
function roundBody(rot: Rotate64, rc: Pair, indent: string): string[] {
  const L: string[] = [];
  const a = (i: number): Pair => [`a${2 * i}`, `a${2 * i + 1}`];
  // θ
  for (let x = 0; x < 5; x++) {
    for (let w = 0; w < 2; w++) {
      const terms = [0, 1, 2, 3, 4].map((y) => a(lane(x, y))[w]).join(' ^ ');
      L.push(`let c${x}_${w} = ${terms};`);
    }
  }
  for (let x = 0; x < 5; x++) {
    const r = rot([`c${(x + 1) % 5}_0`, `c${(x + 1) % 5}_1`], 1);
    L.push(`let d${x}_0 = c${(x + 4) % 5}_0 ^ ${r[0]};`);
    L.push(`let d${x}_1 = c${(x + 4) % 5}_1 ^ ${r[1]};`);
  }
  // θ applied, then ρ and π into b: B[y, 2x+3y] = rot(A[x,y] ^ D[x], r[x][y])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const [w0, w1] = a(lane(x, y));
      const r = rot([`(${w0} ^ d${x}_0)`, `(${w1} ^ d${x}_1)`], RHO[x]![y]!);
      const dst = lane(y, (2 * x + 3 * y) % 5);
      L.push(`let b${dst}_0 = ${r[0]};`);
      L.push(`let b${dst}_1 = ${r[1]};`);
    }
  }
  // χ
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const i = lane(x, y);
      const j = lane((x + 1) % 5, y);
      const k = lane((x + 2) % 5, y);
      for (let w = 0; w < 2; w++) L.push(`a${2 * i + w} = b${i}_${w} ^ (~b${j}_${w} & b${k}_${w});`);
    }
  }
  // ι
  L.push(`a0 ^= ${rc[0]};`);
  L.push(`a1 ^= ${rc[1]};`);
  return L.map((l) => indent + l);
}

/** How the 24 rounds are written: a loop reading ι from a table, or spelled out with literals. */
export type RoundStyle = 'loop' | 'unrolled';

/** Lane layouts (mirrors config.ts' LaneLayout, which the host selects with). */
type Layout = 'plain' | 'interleaved';

const LAYOUTS: Record<Layout, { fn: string; rot: Rotate64; rc: () => number[]; what: string }> = {
  plain: {
    fn: 'keccak_f1600',
    rot: rotPlain,
    rc: () => roundConstants().flatMap((v) => [Number(v & 0xffffffffn), Number(v >> 32n)]),
    what: 'lanes held as u32 pairs: lane i = s[2i] (low 32 bits) | s[2i+1] << 32',
  },
  interleaved: {
    fn: 'keccak_f1600_interleaved',
    rot: rotInterleaved,
    rc: () => roundConstants().flatMap((v) => interleave64(v)),
    what: 'bit-interleaved lanes: lane i = (s[2i] = its even bits, s[2i+1] = its odd bits), so every\n// 64-bit rotation is two 32-bit ones',
  },
};

/** The committed file of each generated permutation, under `shaders/`. */
export const PERMUTATION_FILES: Record<Layout, Record<RoundStyle, string>> = {
  plain: { loop: 'keccak/keccak_f1600.wgsl', unrolled: 'keccak/keccak_f1600_unrolled.wgsl' },
  interleaved: {
    loop: 'keccak/keccak_f1600_interleaved.wgsl',
    unrolled: 'keccak/keccak_f1600_interleaved_unrolled.wgsl',
  },
};

/**
 * WGSL of Keccak-f[1600] for a lane layout and round style, defining `fn <name>(s: ptr<function,
 * array<u32, 50>>)` and nothing with a binding. The plain layout's function is `keccak_f1600`
 * in both round styles (the interface other shaders call); the files differ only in speed.
 */
export function keccakPermutationWgsl(layout: Layout, rounds: RoundStyle): string {
  const { fn, rot, rc, what } = LAYOUTS[layout];
  const words = rc();
  const rcName = layout === 'plain' ? 'KECCAK_RC' : 'KECCAK_RC_INTERLEAVED';
  const load = Array.from({ length: 50 }, (_, i) => `  var a${i} = (*s)[${i}];`);
  const store = Array.from({ length: 50 }, (_, i) => `  (*s)[${i}] = a${i};`);
  const body: string[] = [];
  let table = '';
  if (rounds === 'loop') {
    table = `const ${rcName} = array<u32, 48>(${words.map(hex).join(', ')});\n\n`;
    body.push(`  for (var round = 0u; round < 24u; round++) {`);
    body.push(...roundBody(rot, [`${rcName}[2u * round]`, `${rcName}[2u * round + 1u]`], '    '));
    body.push(`  }`);
  } else {
    for (let r = 0; r < 24; r++) {
      body.push(`  { // round ${r}`);
      body.push(...roundBody(rot, [hex(words[2 * r]!), hex(words[2 * r + 1]!)], '    '));
      body.push(`  }`);
    }
  }
  return (
    HEADER +
    `// Keccak-f[1600] (${rounds === 'loop' ? 'rounds in a loop' : 'rounds unrolled'}) on ${what}.\n` +
    `// No bindings: other shaders are concatenated with this file (WGSL has no includes).\n\n` +
    table +
    `fn ${fn}(s: ptr<function, array<u32, 50>>) {\n` +
    `  // Scalars, not the array: every word has a register of its own across the 24 rounds.\n` +
    [...load, ...body, ...store].join('\n') +
    `\n}\n`
  );
}

const HEADER = `// GENERATED by src/backends/webgpu/keccak-codegen.ts: do not edit by hand (see that file).\n`;
