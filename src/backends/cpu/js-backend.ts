import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Backend } from '../../runtime/backend.js';
import {
  DIGEST_BYTES,
  PUBKEY_BYTES,
  SIG_RECORD_BYTES,
  type PackedMessages,
  type PackedSignatures,
  type RecoveredKeys,
} from '../../runtime/packing.js';

/**
 * Recovers one public key from a packed 97-byte record with @noble/curves, the reference every
 * other backend is tested against: returns the 64-byte x‖y, or null exactly where noble rejects
 * (r or s zero or ≥ n, no curve point with x = r, result at infinity).
 */
export function recoverOneReference(record: Uint8Array): Uint8Array | null {
  const r = bytesToBigInt(record.subarray(32, 64));
  const s = bytesToBigInt(record.subarray(64, 96));
  const recovery = record[96]!;
  try {
    const sig = new secp256k1.Signature(r, s, recovery);
    const point = sig.recoverPublicKey(record.subarray(0, 32));
    return point.toBytes(false).subarray(1);
  } catch {
    return null;
  }
}

/** Keccak-256 of one message with @noble/hashes. */
export function keccakReference(msg: Uint8Array): Uint8Array {
  return keccak_256(msg);
}

function bytesToBigInt(b: Uint8Array): bigint {
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return BigInt('0x' + hex);
}

/** The pure-JS backend: @noble/hashes and @noble/curves on the calling thread. Works everywhere. */
export class CpuJsBackend implements Backend {
  readonly name = 'cpu-js' as const;
  readonly kernels = ['keccak256', 'ecrecover'] as const;

  describe() {
    return {
      name: this.name,
      device: 'JavaScript (@noble/hashes, @noble/curves) on the main thread',
      kind: 'software' as const,
      kernels: [...this.kernels],
    };
  }

  async keccak256(batch: PackedMessages): Promise<Uint8Array> {
    const out = new Uint8Array(batch.count * DIGEST_BYTES);
    for (let i = 0; i < batch.count; i++) {
      const start = batch.offsets[2 * i]!;
      const len = batch.offsets[2 * i + 1]!;
      out.set(keccak_256(batch.data.subarray(start, start + len)), i * DIGEST_BYTES);
    }
    return out;
  }

  async ecrecover(batch: PackedSignatures): Promise<RecoveredKeys> {
    const keys = new Uint8Array(batch.count * PUBKEY_BYTES);
    const valid = new Uint8Array(batch.count);
    for (let i = 0; i < batch.count; i++) {
      const key = recoverOneReference(batch.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES));
      if (key) {
        keys.set(key, i * PUBKEY_BYTES);
        valid[i] = 1;
      }
    }
    return { keys, valid };
  }

  async close(): Promise<void> {}
}

/** Factory for the registry: the JS backend is always available. */
export async function openCpuJs(): Promise<Backend> {
  return new CpuJsBackend();
}
