import { keccakReference } from '../../src/backends/cpu/js-backend.js';
import type { PackedMessages } from '../../src/runtime/packing.js';

/** Deterministic bytes (xorshift32), so a failing input can be regenerated from its seed. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Indices whose digest in `out` differs from @noble/hashes' Keccak-256 of the packed message
 * (at most `limit` of them), plus whether `out` has the right length at all.
 */
export function keccakMismatches(batch: PackedMessages, out: Uint8Array, limit = 10): number[] {
  if (out.length !== batch.count * 32) return [-1];
  const bad: number[] = [];
  for (let i = 0; i < batch.count && bad.length < limit; i++) {
    const start = batch.offsets[2 * i]!;
    const ref = keccakReference(batch.data.subarray(start, start + batch.offsets[2 * i + 1]!));
    const got = out.subarray(32 * i, 32 * i + 32);
    for (let j = 0; j < 32; j++) {
      if (ref[j] !== got[j]) {
        bad.push(i);
        break;
      }
    }
  }
  return bad;
}
