import type { Backend } from '../runtime/backend.js';
import { ADDRESS_BYTES, DIGEST_BYTES, PUBKEY_BYTES, packMessages, packSignatures } from '../runtime/packing.js';
import type { Signature } from '../runtime/types.js';
import type { SenderRecovery } from './senders.js';

/**
 * Sender recovery straight over one backend (no batching runtime, no fallback): what the
 * executor's tests, `run-block --backend` and `bench block` use to name the backend that recovers
 * a block's senders. An accelerator from createAccelerator fits the same slot.
 */
export function backendRecovery(backend: Backend): SenderRecovery {
  const keccak256 = async (msgs: Uint8Array[]): Promise<Uint8Array[]> => {
    const out = await backend.keccak256(packMessages(msgs));
    return msgs.map((_, i) => out.slice(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES));
  };
  const recoverAddresses = async (sigs: Signature[]): Promise<(Uint8Array | null)[]> => {
    const packed = packSignatures(sigs);
    if (backend.recoverAddresses) {
      const { addresses, valid } = await backend.recoverAddresses(packed);
      return sigs.map((_, i) => (valid[i] ? addresses.slice(i * ADDRESS_BYTES, (i + 1) * ADDRESS_BYTES) : null));
    }
    if (!backend.ecrecover) throw new Error(`backend ${backend.name} does not implement ecrecover`);
    const { keys, valid } = await backend.ecrecover(packed);
    const digests = await keccak256(sigs.map((_, i) => keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES)));
    return sigs.map((_, i) => (valid[i] ? digests[i]!.slice(DIGEST_BYTES - ADDRESS_BYTES) : null));
  };
  return { keccak256, recoverAddresses };
}
