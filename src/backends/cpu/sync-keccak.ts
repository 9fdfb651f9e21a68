import { keccak_256 } from '@noble/hashes/sha3.js';
import { loadNativeCpuLibrary } from './native-library.js';

let keccak: ((msg: Uint8Array) => Uint8Array) | undefined;

/**
 * Keccak-256 of one message, synchronously: the native library's inline path where it is built
 * (4–7× @noble/hashes on the 20–532-byte messages of trie keys and nodes, the call included), else
 * @noble/hashes. For callers that need one hash at a time and cannot wait — ethereumjs's
 * `customCrypto` hook, trie nodes hashed as a walk makes them; batches go through the accelerator.
 */
export function syncKeccak256(): (msg: Uint8Array) => Uint8Array {
  if (keccak) return keccak;
  try {
    const lib = loadNativeCpuLibrary();
    const offsets = new Uint32Array(2);
    keccak = (msg) => {
      const out = new Uint8Array(32);
      offsets[1] = msg.length;
      // The native call returns non-zero only for offsets outside the data, impossible here.
      lib.keccak256Sync(msg, offsets, 1, out);
      return out;
    };
  } catch {
    keccak = keccak_256;
  }
  return keccak;
}
