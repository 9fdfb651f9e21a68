import { secp256k1 } from '@noble/curves/secp256k1.js';

/** Byte positions of a 256-bit scalar: one table row each. */
export const G_TABLE_ROWS = 32;
/** Nonzero byte values: one affine point each per row. */
export const G_TABLE_ROW_ENTRIES = 255;
/** u32 words per entry: x then y, each as 8 little-endian words (least significant word first). */
export const G_TABLE_ENTRY_WORDS = 16;

/**
 * The fixed-base table the recovery shader reads for u1·G: entry (i, j) at index i·255 + (j − 1)
 * is the affine point j·2^(8i)·G, computed with @noble/curves so the GPU never derives G itself.
 * 32 × 255 points, 522 KB; built once per kernel.
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
      putWords(out, at + 8, y);
      p = p.add(rowBase);
    }
    // p is now 256·rowBase = 2^(8(i+1))·G.
    rowBase = p;
  }
  return out;
}

function putWords(dst: Uint32Array, at: number, v: bigint): void {
  for (let k = 0; k < 8; k++) dst[at + k] = Number((v >> BigInt(32 * k)) & 0xffff_ffffn);
}
