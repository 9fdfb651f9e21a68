import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Signature } from '../../src/index.js';

interface P1363File {
  testGroups: { publicKey: { uncompressed: string }; tests: { tcId: number; msg: string; sig: string; result: string }[] }[];
}

/** A Wycheproof vector as recovery inputs: one entry per recovery id. */
export interface WycheproofCase {
  tcId: number;
  result: string;
  /** Uncompressed group key without the 0x04 prefix. */
  key: Uint8Array;
  sigs: [Signature, Signature];
}

/**
 * The Wycheproof ECDSA secp256k1 vectors with a raw r‖s signature of 64 bytes (the P1363 file),
 * hashed with SHA-256 as the vectors specify, each tried with both recovery ids.
 */
export function wycheproofCases(): WycheproofCase[] {
  const path = new URL('../fixtures/vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json.gz', import.meta.url);
  const file = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as P1363File;
  const cases: WycheproofCase[] = [];
  for (const g of file.testGroups) {
    const key = hexToBytes(g.publicKey.uncompressed).subarray(1);
    for (const t of g.tests) {
      const sig = hexToBytes(t.sig);
      if (sig.length !== 64) continue; // malformed-length encodings have no r‖s to recover from
      const hash = sha256(hexToBytes(t.msg));
      const r = sig.subarray(0, 32);
      const s = sig.subarray(32);
      cases.push({ tcId: t.tcId, result: t.result, key, sigs: [{ hash, r, s, recovery: 0 }, { hash, r, s, recovery: 1 }] });
    }
  }
  return cases;
}
