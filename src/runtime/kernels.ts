import { keccakReference, recoverOneReference } from '../backends/cpu/js-backend.js';
import type { Backend } from './backend.js';
import {
  ADDRESS_BYTES,
  DIGEST_BYTES,
  PUBKEY_BYTES,
  SIG_RECORD_BYTES,
  concatMessages,
  concatSignatures,
  sliceMessages,
  sliceSignatures,
  type PackedMessages,
  type PackedSignatures,
} from './packing.js';
import type { KernelName } from './types.js';

/**
 * A kernel's output in one shape for all three: fixed-size records (`out`, `outBytes` each) and,
 * for recovery, a validity flag per item.
 */
export interface KernelOutput {
  out: Uint8Array;
  valid: Uint8Array | null;
  /**
   * Recovered keys behind addresses, where a backend without a fused kernel computed both: the
   * checks then verify that each address is the Keccak of its key.
   */
  keys?: Uint8Array;
}

/** What the router needs to know about a kernel to batch, split, run, check and join it. */
export interface KernelSpec<In> {
  /** Public name; `addresses` is counted under ecrecover, which it needs. */
  readonly id: 'keccak256' | 'ecrecover' | 'addresses';
  /** The backend capability it needs. */
  readonly needs: KernelName;
  readonly outBytes: number;
  count(batch: In): number;
  slice(batch: In, from: number, to: number): In;
  concat(parts: readonly In[]): In;
  /** A new batch of the items at `indices`, in that order (what a check recomputes). */
  pick(batch: In, indices: ArrayLike<number>): In;
  run(backend: Backend, batch: In): Promise<KernelOutput>;
  /** Recomputes item i with the reference (@noble): what settles a disagreement between two backends. */
  reference(batch: In, i: number): Uint8Array | null;
}

function messageAt(b: PackedMessages, i: number): Uint8Array {
  const start = b.offsets[2 * i]!;
  return b.data.subarray(start, start + b.offsets[2 * i + 1]!);
}

function recordAt(b: PackedSignatures, i: number): Uint8Array {
  return b.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES);
}

/** The keys at `indices` (all when omitted) as 64-byte messages, so a Keccak turns them into addresses. */
export function keysAsMessages(keys: Uint8Array, count: number, indices?: ArrayLike<number>): PackedMessages {
  const n = indices ? indices.length : count;
  const offsets = new Uint32Array(2 * n);
  for (let j = 0; j < n; j++) {
    offsets[2 * j] = (indices ? indices[j]! : j) * PUBKEY_BYTES;
    offsets[2 * j + 1] = PUBKEY_BYTES;
  }
  return { data: keys, offsets, count: n };
}

function pickMessages(b: PackedMessages, indices: ArrayLike<number>): PackedMessages {
  const offsets = new Uint32Array(2 * indices.length);
  let bytes = 0;
  for (let j = 0; j < indices.length; j++) {
    offsets[2 * j] = bytes;
    bytes += offsets[2 * j + 1] = b.offsets[2 * indices[j]! + 1]!;
  }
  const data = new Uint8Array(bytes);
  for (let j = 0; j < indices.length; j++) data.set(messageAt(b, indices[j]!), offsets[2 * j]!);
  return { data, offsets, count: indices.length };
}

function pickSignatures(b: PackedSignatures, indices: ArrayLike<number>): PackedSignatures {
  const records = new Uint8Array(indices.length * SIG_RECORD_BYTES);
  for (let j = 0; j < indices.length; j++) records.set(recordAt(b, indices[j]!), j * SIG_RECORD_BYTES);
  return { records, count: indices.length };
}

/** Last 20 bytes of each 32-byte digest. */
export function digestsToAddresses(digests: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count * ADDRESS_BYTES);
  for (let i = 0; i < count; i++) {
    out.set(digests.subarray(i * DIGEST_BYTES + 12, (i + 1) * DIGEST_BYTES), i * ADDRESS_BYTES);
  }
  return out;
}

function ecrecoverOn(backend: Backend) {
  if (!backend.ecrecover) throw new Error(`backend ${backend.name} has no ecrecover kernel`);
  return backend.ecrecover.bind(backend);
}

export const KECCAK: KernelSpec<PackedMessages> = {
  id: 'keccak256',
  needs: 'keccak256',
  outBytes: DIGEST_BYTES,
  count: (b) => b.count,
  slice: sliceMessages,
  concat: concatMessages,
  pick: pickMessages,
  run: async (backend, b) => ({ out: await backend.keccak256(b), valid: null }),
  reference: (b, i) => keccakReference(messageAt(b, i)),
};

export const ECRECOVER: KernelSpec<PackedSignatures> = {
  id: 'ecrecover',
  needs: 'ecrecover',
  outBytes: PUBKEY_BYTES,
  count: (b) => b.count,
  slice: sliceSignatures,
  concat: concatSignatures,
  pick: pickSignatures,
  run: async (backend, b) => {
    const r = await ecrecoverOn(backend)(b);
    return { out: r.keys, valid: r.valid };
  },
  reference: (b, i) => recoverOneReference(recordAt(b, i)),
};

export const ADDRESSES: KernelSpec<PackedSignatures> = {
  ...ECRECOVER,
  id: 'addresses',
  outBytes: ADDRESS_BYTES,
  run: async (backend, b) => {
    if (backend.recoverAddresses) {
      const r = await backend.recoverAddresses(b);
      return { out: r.addresses, valid: r.valid };
    }
    // No fused kernel: recover and hash on the same backend, so one fault re-runs both halves.
    const r = await ecrecoverOn(backend)(b);
    const digests = await backend.keccak256(keysAsMessages(r.keys, b.count));
    if (digests.length !== b.count * DIGEST_BYTES) {
      throw new Error(`keccak of recovered keys returned ${digests.length} bytes for ${b.count} keys`);
    }
    return { out: digestsToAddresses(digests, b.count), valid: r.valid, keys: r.keys };
  },
  reference: (b, i) => {
    const key = recoverOneReference(recordAt(b, i));
    return key && keccakReference(key).subarray(12);
  },
};
