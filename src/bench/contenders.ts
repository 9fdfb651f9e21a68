import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Accelerator, BackendName, Signature } from '../index.js';

/** Something that processes a batch: an evm-accel backend or a library a user would pick instead. */
export interface Contender<In> {
  name: string;
  /** Peers run in-process on one thread; evm-accel backends are named by backend. */
  backend?: BackendName;
  run(batch: In[]): Promise<unknown>;
}

export function acceleratorKeccak(accel: Accelerator, backend: BackendName): Contender<Uint8Array> {
  return { name: `evm-accel ${backend}`, backend, run: (b) => accel.keccak256(b, { backend }) };
}

export function acceleratorRecover(accel: Accelerator, backend: BackendName): Contender<Signature> {
  return { name: `evm-accel ${backend}`, backend, run: (b) => accel.ecrecover(b, { backend }) };
}

/** @noble/hashes, one call per message: what most JS Ethereum code (ethereumjs, viem) does. */
export const nobleKeccak: Contender<Uint8Array> = {
  name: '@noble/hashes',
  run: async (b) => b.map((m) => keccak_256(m)),
};

/**
 * hash-wasm's Keccak with one reused WASM hasher, its fastest way to hash many messages; undefined
 * when hash-wasm is not installed. It is an optional peer: the package works without it, and
 * `bench keccak` then compares with @noble/hashes alone.
 */
export async function hashWasmKeccak(): Promise<Contender<Uint8Array> | undefined> {
  let hashWasm: typeof import('hash-wasm');
  try {
    hashWasm = await import('hash-wasm');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
  const hasher = await hashWasm.createKeccak(256);
  return {
    name: 'hash-wasm',
    run: async (b) => b.map((m) => hasher.init().update(m).digest('binary')),
  };
}

/** @noble/curves recovery, one call per signature. */
export const nobleRecover: Contender<Signature> = {
  name: '@noble/curves',
  run: async (b) =>
    b.map((s) => {
      try {
        const r = BigInt('0x' + Buffer.from(s.r).toString('hex'));
        const ss = BigInt('0x' + Buffer.from(s.s).toString('hex'));
        return new secp256k1.Signature(r, ss, s.recovery).recoverPublicKey(s.hash).toBytes(false);
      } catch {
        return null;
      }
    }),
};
