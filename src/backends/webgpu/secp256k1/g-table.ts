import { secp256k1 } from '@noble/curves/secp256k1.js';

/** Byte positions of a 256-bit scalar: one table row each. */
export const G_TABLE_ROWS = 32;
/** Nonzero byte values: one affine point each per row. */
export const G_TABLE_ROW_ENTRIES = 255;
/**
 * u32 words per entry: x then y, each as the shader's 20 limbs of 13 bits (field.wgsl), two to a
 * word (limb 2k in bits 0..12, limb 2k + 1 in bits 13..25), least significant first.
 */
export const G_TABLE_ENTRY_WORDS = 20;
const COORD_WORDS = G_TABLE_ENTRY_WORDS / 2;

/**
 * The fixed-base table the recovery shader reads for u1·G: entry (i, j) at index i·255 + (j − 1)
 * is the affine point j·2^(8i)·G, computed with @noble/curves so the GPU never derives G itself.
 * 32 × 255 points, 653 KB; built once per kernel.
 */
export function buildGTable(): Uint32Array {
  const { Point } = secp256k1;
  const out = new Uint32Array(G_TABLE_ROWS * G_TABLE_ROW_ENTRIES * G_TABLE_ENTRY_WORDS);
  let rowBase = Point.BASE;
  for (let i = 0; i < G_TABLE_ROWS; i++) {
    let p = rowBase;
    for (let j = 1; j <= G_TABLE_ROW_ENTRIES; j++) {
      const { x, y } = p.toAffine();
      const at = (i * G_TABLE_ROW_ENTRIES + j - 1) * G_TABLE_ENTRY_WORDS;
      putWords(out, at, x);
      putWords(out, at + COORD_WORDS, y);
      p = p.add(rowBase);
    }
    // p is now 256·rowBase = 2^(8(i+1))·G.
    rowBase = p;
  }
  return out;
}

function putWords(dst: Uint32Array, at: number, v: bigint): void {
  for (let k = 0; k < COORD_WORDS; k++) dst[at + k] = Number((v >> BigInt(26 * k)) & 0x3ff_ffffn);
}
