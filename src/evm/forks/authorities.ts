import type { Block } from '@ethereumjs/block';
import { RLP } from '@ethereumjs/rlp';
import { Capability, type EIP7702CompatibleTx } from '@ethereumjs/tx';
import { bytesToBigInt, concatBytes, setLengthLeft, unpadBytes, type EOACode7702AuthorizationListBytesItem } from '@ethereumjs/util';

/**
 * EIP-7702 authority signatures, recovered in the block's accelerator batch with its senders
 * instead of one by one inside the workers' runTx. The main thread collects every authorization
 * runTx would recover; the workers get the recovered addresses, keyed by the authorization itself,
 * and runTx's recoveries are answered from them (authority-recovery.ts).
 */

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const MAX_UINT64 = (1n << 64n) - 1n;
const MAGIC = Uint8Array.of(0x05);

/** An authorization's signature over keccak256(0x05 ‖ rlp([chain_id, address, nonce])), before hashing. */
export interface AuthoritySignature {
  /** The authorization as the workers' table keys it ({@link authorizationKey}). */
  key: string;
  preimage: Uint8Array;
  r: Uint8Array;
  s: Uint8Array;
  recovery: 0 | 1;
}

/**
 * Recovered authorities as workers receive them: per authorization key, the authority's address,
 * or null where no key recovers from the signature (runTx then skips the authorization).
 */
export interface RecoveredAuthorities {
  keys: string[];
  addresses: (Uint8Array | null)[];
}

/**
 * The signatures of every authorization in the block that runTx would recover: those that pass
 * its checks made before recovery (chain id 0 or the chain's, nonce below 2^64 - 1, s at most
 * n/2, y parity 0 or 1) and whose r and s are in [1, n). runTx skips the others without
 * recovering anything, as EIP-7702 says, so they need no recovery here.
 */
export function authoritySignatures(block: Block): AuthoritySignature[] {
  const chainId = block.common.chainId();
  const out: AuthoritySignature[] = [];
  for (const tx of block.transactions) {
    if (!tx.supports(Capability.EIP7702EOACode)) continue;
    for (const item of (tx as EIP7702CompatibleTx).authorizationList) {
      const [chain, address, nonce, yParity, r, s] = item;
      const c = bytesToBigInt(chain);
      const parity = bytesToBigInt(yParity);
      const rv = bytesToBigInt(r);
      const sv = bytesToBigInt(s);
      if ((c !== 0n && c !== chainId) || bytesToBigInt(nonce) >= MAX_UINT64 || sv > SECP256K1_N / 2n || parity > 1n) continue;
      if (rv === 0n || rv >= SECP256K1_N || sv === 0n) continue;
      out.push({
        key: authorizationKey(item),
        preimage: concatBytes(MAGIC, RLP.encode([unpadBytes(chain), address, unpadBytes(nonce)])),
        r: setLengthLeft(r, 32),
        s: setLengthLeft(s, 32),
        recovery: Number(parity) as 0 | 1,
      });
    }
  }
  return out;
}

/** An authorization tuple as the workers' table keys it: its six fields in hex. */
export function authorizationKey(item: EOACode7702AuthorizationListBytesItem): string {
  return item.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')).join('.');
}
