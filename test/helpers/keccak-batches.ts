import { packMessages, type PackedMessages } from '../../src/runtime/packing.js';
import { seededBytes } from './keccak-oracle.js';

const RATE = 136;
/** Longest message of the differential suites. */
export const MAX_LEN = 5000;

/** Every length within 9 bytes of a multiple of the rate, and every length up to two blocks. */
function boundaryLengths(): number[] {
  const set = new Set<number>();
  for (let k = 0; k * RATE <= MAX_LEN + 9; k++) {
    for (let d = -9; d <= 9; d++) {
      const len = k * RATE + d;
      if (len >= 0 && len <= MAX_LEN) set.add(len);
    }
  }
  for (let len = 0; len <= 2 * RATE + 1; len++) set.add(len);
  set.add(MAX_LEN);
  return [...set].sort((a, b) => a - b);
}

/**
 * Boundary lengths at each of the 4 byte alignments, as windows (start, length) into one random
 * buffer: offsets need not be increasing or disjoint, which the packed layout allows.
 */
export function boundaryBatch(seed: number): PackedMessages {
  const lengths = boundaryLengths();
  const data = seededBytes(MAX_LEN + 64, seed);
  const offsets = new Uint32Array(lengths.length * 8);
  let i = 0;
  for (const len of lengths) {
    for (let align = 0; align < 4; align++) {
      offsets[2 * i] = 4 * ((len * 7 + i) % 12) + align;
      offsets[2 * i + 1] = len;
      i++;
    }
  }
  return { data, offsets, count: i };
}

/** `count` messages of pseudo-random lengths in [0, maxLen], packed back to back. */
export function randomBatch(count: number, maxLen: number, seed: number): PackedMessages {
  const lens = seededBytes(count * 2, seed);
  const lengths = Array.from({ length: count }, (_, i) => ((lens[2 * i]! << 8) | lens[2 * i + 1]!) % (maxLen + 1));
  const total = lengths.reduce((a, b) => a + b, 0);
  const data = seededBytes(total, seed + 1);
  const msgs: Uint8Array[] = [];
  let at = 0;
  for (const l of lengths) {
    msgs.push(data.subarray(at, at + l));
    at += l;
  }
  return packMessages(msgs);
}

/** The messages of a packed batch, as views. */
export function split(p: PackedMessages): Uint8Array[] {
  return Array.from({ length: p.count }, (_, i) => p.data.subarray(p.offsets[2 * i]!, p.offsets[2 * i]! + p.offsets[2 * i + 1]!));
}
