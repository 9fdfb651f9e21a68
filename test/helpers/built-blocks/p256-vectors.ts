/**
 * Wycheproof's ECDSA P-256 / SHA-256 vectors (raw r‖s) as EIP-7951 P256VERIFY inputs:
 * hash(32) ‖ r(32) ‖ s(32) ‖ qx(32) ‖ qy(32). A valid signature returns 32 bytes 0…01, anything
 * else returns nothing. Vectors whose signature is not 64 bytes have no r‖s to pass and are left out.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { concatBytes, hexToBytes } from '@ethereumjs/util';
import { sha256 } from '@noble/hashes/sha2.js';
import type { ProbeCall } from './contracts.js';

interface P1363File {
  testGroups: { publicKey: { uncompressed: string }; tests: { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable' }[] }[];
}

/** One vector as a precompile call, with Wycheproof's verdict. */
export interface P256Case extends ProbeCall {
  tcId: number;
  valid: boolean;
}

export function p256Cases(): P256Case[] {
  const path = new URL('../../fixtures/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json.gz', import.meta.url);
  const file = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as P1363File;
  const out: P256Case[] = [];
  for (const g of file.testGroups) {
    const q = hexToBytes(`0x${g.publicKey.uncompressed}`).subarray(1);
    for (const t of g.tests) {
      const sig = hexToBytes(`0x${t.sig}`);
      if (sig.length !== 64) continue;
      out.push({ tcId: t.tcId, valid: t.result === 'valid', gas: 10_000n, input: concatBytes(sha256(hexToBytes(`0x${t.msg}`)), sig, q) });
    }
  }
  return out;
}

/** The calls of {@link p256Cases}, for the batch caller. */
export function p256Calls(): ProbeCall[] {
  return p256Cases().map(({ gas, input }) => ({ gas, input }));
}
