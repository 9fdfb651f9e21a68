import type { Block } from '@ethereumjs/block';
import type { CustomCrypto } from '@ethereumjs/common';
import { bytesToHex, setLengthLeft } from '@ethereumjs/util';
import { syncKeccak256 } from '../backends/cpu/sync-keccak.js';
import { recoverOneReference } from '../backends/cpu/js-backend.js';
import { packSignatures } from '../runtime/packing.js';
import type { Accelerator, Signature } from '../runtime/types.js';
import { transactionSignatures } from '../evm/senders.js';

/** The customCrypto hooks, plus the batched prefetch that makes the synchronous ones cheap. */
export interface AcceleratedCrypto extends Required<Pick<CustomCrypto, 'keccak256' | 'ecrecover'>> {
  /**
   * Recovers every sender of `block` in one accelerator batch, so that ethereumjs's per-transaction
   * `ecrecover` calls that follow are answered from memory.
   */
  prefetch(block: Block): Promise<void>;
  /** Recoveries answered from the prefetched batch, and computed on the spot. */
  readonly counters: { prefetched: number; computed: number };
}

/** ethereumjs's v → recovery id (27/28, EIP-155's chainId·2 + 35/36, or 0/1 of typed transactions). */
function recoveryId(v: bigint, chainId?: bigint): number {
  if (v === 0n || v === 1n) return Number(v);
  return Number(chainId === undefined ? v - 27n : v - (chainId * 2n + 35n));
}

/** ethereumjs passes r and s unpadded; records hold them as 32 bytes (a longer one stays as it is, to be refused). */
const pad32 = (b: Uint8Array): Uint8Array => (b.length < 32 ? setLengthLeft(b, 32) : b);

function cacheKey(hash: Uint8Array, r: Uint8Array, s: Uint8Array, recovery: number): string {
  return `${bytesToHex(hash)}${bytesToHex(pad32(r))}${bytesToHex(pad32(s))}${recovery}`;
}

/**
 * `customCrypto` hooks for @ethereumjs/common backed by evm-accel. ethereumjs calls these hooks
 * synchronously, one item at a time, so they cannot wait for a batch: `ecrecover` answers from keys
 * that {@link AcceleratedCrypto.prefetch} recovered in one accelerator batch (runBlockAccelerated
 * prefetches every block), and computes anything else on the spot exactly as ethereumjs would
 * (the same key, and a throw for an invalid signature as ethereumjs does); `keccak256` runs the
 * native kernel inline.
 */
export function acceleratedCrypto(accel: Pick<Accelerator, 'ecrecover' | 'keccak256'>): AcceleratedCrypto {
  const keys = new Map<string, Uint8Array>();
  const counters = { prefetched: 0, computed: 0 };
  return {
    keccak256: syncKeccak256(),
    ecrecover(msgHash, v, r, s, chainId) {
      const recovery = recoveryId(v, chainId);
      const key = cacheKey(msgHash, r, s, recovery);
      const hit = keys.get(key);
      if (hit) {
        keys.delete(key);
        counters.prefetched++;
        return hit;
      }
      counters.computed++;
      const pub =
        recovery === 0 || recovery === 1
          ? recoverOneReference(packSignatures([{ hash: msgHash, r: pad32(r), s: pad32(s), recovery }]).records)
          : null;
      if (!pub) throw new Error('Invalid Signature');
      return pub;
    },
    async prefetch(block) {
      const sigs: Signature[] = await transactionSignatures(block, accel);
      const recovered = await accel.ecrecover(sigs);
      recovered.forEach((pub, i) => {
        const s = sigs[i]!;
        if (pub) keys.set(cacheKey(s.hash, s.r, s.s, s.recovery), pub);
      });
    },
    counters,
  };
}
