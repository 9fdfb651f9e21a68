import { keccak_256 } from '@noble/hashes/sha3.js';
import { loadNativeCpuLibrary, type NativeCpuLibrary } from './native-library.js';

let keccak: ((msg: Uint8Array) => Uint8Array) | undefined;
let keccakMany: ((msgs: readonly Uint8Array[]) => Uint8Array[]) | undefined;
let library: NativeCpuLibrary | null | undefined;

/** The native library, loaded once; null where it is not built (the callers use @noble/hashes then). */
function nativeLibrary(): NativeCpuLibrary | null {
  if (library === undefined) {
    try {
      library = loadNativeCpuLibrary();
    } catch {
      library = null;
    }
  }
  return library;
}

/**
 * Keccak-256 of one message, synchronously: the native library's inline path where it is built
 * (4–7× @noble/hashes on the 20–532-byte messages of trie keys and nodes, the call included), else
 * @noble/hashes. For callers that need one hash at a time and cannot wait — ethereumjs's
 * `customCrypto` hook, trie nodes hashed as a walk makes them; batches go through the accelerator.
 */
export function syncKeccak256(): (msg: Uint8Array) => Uint8Array {
  if (keccak) return keccak;
  const lib = nativeLibrary();
  if (!lib) return (keccak = keccak_256);
  const offsets = new Uint32Array(2);
  keccak = (msg) => {
    const out = new Uint8Array(32);
    offsets[1] = msg.length;
    // The native call returns non-zero only for offsets outside the data, impossible here.
    lib.keccak256Sync(msg, offsets, 1, out);
    return out;
  };
  return keccak;
}

/**
 * {@link syncKeccak256} of many messages in one native call (a call costs about as much as hashing
 * a short message): the digests are views into one buffer.
 */
export function syncKeccak256Many(): (msgs: readonly Uint8Array[]) => Uint8Array[] {
  if (keccakMany) return keccakMany;
  const lib = nativeLibrary();
  if (!lib) return (keccakMany = (msgs) => msgs.map((m) => keccak_256(m)));
  keccakMany = (msgs) => {
    // (start, length) per message.
    const offsets = new Uint32Array(2 * msgs.length);
    let end = 0;
    msgs.forEach((m, i) => {
      offsets[2 * i] = end;
      offsets[2 * i + 1] = m.length;
      end += m.length;
    });
    const data = new Uint8Array(end);
    msgs.forEach((m, i) => data.set(m, offsets[2 * i]!));
    const out = new Uint8Array(32 * msgs.length);
    // The native call returns non-zero only for offsets outside the data, impossible here.
    if (msgs.length > 0) lib.keccak256Sync(data, offsets, msgs.length, out);
    return msgs.map((_, i) => out.subarray(32 * i, 32 * i + 32));
  };
  return keccakMany;
}
