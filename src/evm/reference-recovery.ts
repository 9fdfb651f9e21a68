import { CpuJsBackend, keccakReference } from '../backends/cpu/js-backend.js';
import { packSignatures, PUBKEY_BYTES } from '../runtime/packing.js';
import type { SenderRecovery } from './senders.js';

const reference = new CpuJsBackend();

/**
 * Sender recovery on the reference backend (cpu-js: @noble/curves and @noble/hashes on the calling
 * thread), called directly: no routing, batching or device in between, and no customCrypto hook
 * of the block's Common. What a block is re-run with before it is called invalid.
 */
export const referenceRecovery: SenderRecovery = {
  async keccak256(msgs) {
    return msgs.map(keccakReference);
  },
  async recoverAddresses(sigs) {
    const { keys, valid } = await reference.ecrecover(packSignatures(sigs));
    return sigs.map((_, i) => (valid[i] ? keccakReference(keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES)).slice(12) : null));
  },
};
