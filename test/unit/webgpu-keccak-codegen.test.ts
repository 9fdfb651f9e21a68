import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interleave64, keccakPermutationWgsl, PERMUTATION_FILES } from '../../src/backends/webgpu/keccak-codegen.js';

// The committed WGSL must be exactly what the generator writes; EVM_ACCEL_REGEN_WGSL=1 rewrites it.
const FILES = (['plain', 'interleaved'] as const).flatMap((layout) =>
  (['loop', 'unrolled'] as const).map(
    (rounds) => [`shaders/${PERMUTATION_FILES[layout][rounds]}`, () => keccakPermutationWgsl(layout, rounds)] as const,
  ),
);

describe('keccak WGSL generator', () => {
  for (const [path, generate] of FILES) {
    it(`${path} matches its generator`, () => {
      const text = generate();
      if (process.env.EVM_ACCEL_REGEN_WGSL === '1') writeFileSync(path, text);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  }

  it('embeds the FIPS 202 round constants', () => {
    const text = keccakPermutationWgsl('plain', 'loop');
    // RC[0] = 1, RC[1] = 0x8082, RC[23] = 0x8000000080008008 (words low, high).
    expect(text).toMatch(/array<u32, 48>\(0x00000001u, 0x00000000u, 0x00008082u, 0x00000000u,/);
    expect(text).toMatch(/0x80008008u, 0x80000000u\);/);
    // The unrolled form spells the same constants out, round 23 last.
    const unrolled = keccakPermutationWgsl('plain', 'unrolled');
    expect(unrolled).toMatch(/round 23[^]*a0 \^= 0x80008008u;\s*a1 \^= 0x80000000u;/);
    expect(unrolled).toContain('fn keccak_f1600(s: ptr<function, array<u32, 50>>)');
  });

  it('interleaves even and odd bits', () => {
    expect(interleave64(1n)).toEqual([1, 0]);
    expect(interleave64(2n)).toEqual([0, 1]);
    expect(interleave64(1n << 63n)).toEqual([0, 0x80000000]);
    expect(interleave64(0x5555555555555555n)).toEqual([0xffffffff, 0]);
  });
});
