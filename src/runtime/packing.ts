import { InputError } from './errors.js';
import type { Signature } from './types.js';

/**
 * A batch of messages for Keccak-256, packed as DESIGN.md fixes it for every backend:
 * one contiguous data buffer plus an offsets table of (u32 start, u32 length) per message.
 */
export interface PackedMessages {
  data: Uint8Array;
  /** 2 × count entries: start, length. */
  offsets: Uint32Array;
  count: number;
}

/** Bytes of one packed signature record: hash ‖ r ‖ s ‖ recovery id. */
export const SIG_RECORD_BYTES = 97;
/** Bytes of a recovered public key (x ‖ y, no 0x04 prefix). */
export const PUBKEY_BYTES = 64;
/** Bytes of a Keccak-256 digest. */
export const DIGEST_BYTES = 32;
/** Bytes of an Ethereum address. */
export const ADDRESS_BYTES = 20;

/** A batch of signatures packed as fixed 97-byte records. */
export interface PackedSignatures {
  records: Uint8Array;
  count: number;
}

/**
 * Result of a recovery batch: `keys` holds count × 64 bytes, `valid[i]` is 1 where recovery
 * succeeded (the key bytes of an invalid item are unspecified and never read).
 */
export interface RecoveredKeys {
  keys: Uint8Array;
  valid: Uint8Array;
}

/** Largest single message the packed layout can address (u32 offsets, one buffer). */
export const MAX_PACKED_BYTES = 0xffff_ffff;

/** Validates and packs messages; throws InputError naming the first bad index. */
export function packMessages(msgs: readonly Uint8Array[]): PackedMessages {
  if (!Array.isArray(msgs)) throw new InputError(-1, 'messages must be an array of Uint8Array');
  const count = msgs.length;
  const offsets = new Uint32Array(count * 2);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const m = msgs[i];
    if (!(m instanceof Uint8Array)) throw new InputError(i, `message must be a Uint8Array, got ${describe(m)}`);
    offsets[2 * i] = total;
    offsets[2 * i + 1] = m.length;
    total += m.length;
    if (total > MAX_PACKED_BYTES) throw new InputError(i, 'batch exceeds 4 GiB of message data; split it');
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < count; i++) data.set(msgs[i]!, offsets[2 * i]!);
  return { data, offsets, count };
}

/**
 * A batch the caller packed already (`keccak256Packed`), taken as it is after checking that it
 * is one: `offsets` holds (start, length) pairs, messages in order, none overlapping the next or
 * running past `data`. Throws InputError naming the first bad message.
 */
export function checkPackedMessages(data: unknown, offsets: unknown): PackedMessages {
  if (!(data instanceof Uint8Array)) throw new InputError(-1, `data must be a Uint8Array, got ${describe(data)}`);
  if (!(offsets instanceof Uint32Array)) throw new InputError(-1, `offsets must be a Uint32Array, got ${describe(offsets)}`);
  if (offsets.length % 2 !== 0) throw new InputError(-1, `offsets must hold (start, length) pairs, got ${offsets.length} entries`);
  const count = offsets.length / 2;
  let end = 0;
  for (let i = 0; i < count; i++) {
    const start = offsets[2 * i]!;
    if (start < end) throw new InputError(i, `message starts at ${start}, inside the previous one (which ends at ${end})`);
    end = start + offsets[2 * i + 1]!;
    if (end > data.length) throw new InputError(i, `message ends at ${end}, past the ${data.length} bytes of data`);
  }
  return { data, offsets, count };
}

/** A view of messages [from, to) of a packed batch, sharing its data buffer. */
export function sliceMessages(p: PackedMessages, from: number, to: number): PackedMessages {
  if (from === 0 && to === p.count) return p;
  const offsets = new Uint32Array(p.offsets.subarray(2 * from, 2 * to));
  const base = to > from ? offsets[0]! : 0;
  const end = to > from ? offsets[2 * (to - from - 1)]! + offsets[2 * (to - from) - 1]! : base;
  for (let i = 0; i < offsets.length; i += 2) offsets[i]! -= base;
  return { data: p.data.subarray(base, end), offsets, count: to - from };
}

/** Validates and packs signatures into 97-byte records; throws InputError naming the first bad index. */
export function packSignatures(sigs: readonly Signature[]): PackedSignatures {
  if (!Array.isArray(sigs)) throw new InputError(-1, 'signatures must be an array');
  const count = sigs.length;
  const records = new Uint8Array(count * SIG_RECORD_BYTES);
  for (let i = 0; i < count; i++) {
    const s = sigs[i];
    if (s === null || typeof s !== 'object') throw new InputError(i, `signature must be an object, got ${describe(s)}`);
    const o = i * SIG_RECORD_BYTES;
    put32(records, o, s.hash, i, 'hash');
    put32(records, o + 32, s.r, i, 'r');
    put32(records, o + 64, s.s, i, 's');
    if (s.recovery !== 0 && s.recovery !== 1) {
      throw new InputError(i, `recovery must be 0 or 1, got ${String(s.recovery)}`);
    }
    records[o + 96] = s.recovery;
  }
  return { records, count };
}

/** A view of records [from, to) of a packed signature batch. */
export function sliceSignatures(p: PackedSignatures, from: number, to: number): PackedSignatures {
  if (from === 0 && to === p.count) return p;
  return { records: p.records.subarray(from * SIG_RECORD_BYTES, to * SIG_RECORD_BYTES), count: to - from };
}

function put32(dst: Uint8Array, at: number, v: unknown, i: number, field: string): void {
  if (!(v instanceof Uint8Array)) throw new InputError(i, `${field} must be a Uint8Array, got ${describe(v)}`);
  if (v.length !== 32) throw new InputError(i, `${field} must be 32 bytes, got ${v.length}`);
  dst.set(v, at);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** Joins packed message batches into one (the batcher coalesces concurrent calls with it). */
export function concatMessages(parts: readonly PackedMessages[]): PackedMessages {
  if (parts.length === 1) return parts[0]!;
  let bytes = 0;
  let count = 0;
  for (const p of parts) {
    bytes += p.data.length;
    count += p.count;
  }
  if (bytes > MAX_PACKED_BYTES) throw new InputError(-1, 'coalesced batch exceeds 4 GiB of message data');
  const data = new Uint8Array(bytes);
  const offsets = new Uint32Array(2 * count);
  let at = 0;
  let item = 0;
  for (const p of parts) {
    data.set(p.data, at);
    for (let i = 0; i < p.count; i++, item++) {
      offsets[2 * item] = p.offsets[2 * i]! + at;
      offsets[2 * item + 1] = p.offsets[2 * i + 1]!;
    }
    at += p.data.length;
  }
  return { data, offsets, count };
}

/** Joins packed signature batches into one. */
export function concatSignatures(parts: readonly PackedSignatures[]): PackedSignatures {
  if (parts.length === 1) return parts[0]!;
  return { records: concatBytes(parts.map((p) => p.records)), count: parts.reduce((n, p) => n + p.count, 0) };
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
