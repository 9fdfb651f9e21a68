import type { SenderRecovery } from '../../src/evm/senders.js';

/**
 * A real accelerator's sender recovery that lies about one item of every `recoverAddresses`
 * batch: it answers `lie(address)` for item `index` (default: the address with its last bit
 * flipped). Wrapping the accelerator rather than one of its backends makes the lie reach the
 * executor whatever the runtime's own verification samples.
 */
export function lyingRecovery(
  inner: SenderRecovery,
  index: number,
  lie: (address: Uint8Array) => Uint8Array = (a) => a.map((b, i) => (i === 19 ? b ^ 1 : b)),
): SenderRecovery & { lies: number } {
  const liar = {
    lies: 0,
    keccak256: (msgs: Uint8Array[]) => inner.keccak256(msgs),
    async recoverAddresses(sigs: Parameters<SenderRecovery['recoverAddresses']>[0]) {
      const out = await inner.recoverAddresses(sigs);
      const a = out[index];
      if (a) {
        out[index] = lie(a);
        liar.lies++;
      }
      return out;
    },
  };
  return liar;
}
