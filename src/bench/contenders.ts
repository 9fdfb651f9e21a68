import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Accelerator, BackendName, KernelName, Signature, VerifyLevel } from '../index.js';

/** Something that processes a batch: an evm-accel backend or a library a user would pick instead. */
export interface Contender<In> {
  name: string;
  /** Peers run in-process on one thread; evm-accel backends are named by backend. */
  backend?: BackendName;
  /** The accelerator's verification level, for evm-accel backends. */
  verify?: VerifyLevel;
  /** Runs at the JS reference's pace (a 'full' check by cpu-js): measured only as far as the JS peers. */
  jsBound?: boolean;
  run(batch: In[]): Promise<unknown>;
}

/** An accelerator created with one verification level, to measure what that level costs. */
export interface VerifyVariant {
  verify: VerifyLevel;
  accel: Accelerator;
}

function accelerated<In>(v: VerifyVariant, backend: BackendName, kernel: KernelName, run: (b: In[]) => Promise<unknown>): Contender<In> {
  const check = v.verify === 'full' ? v.accel.plan(kernel, 65_536, { backend }).parts[0]?.check : null;
  return {
    // The default level keeps the plain name, so results compare with earlier runs.
    name: v.verify === 'sample' ? `evm-accel ${backend}` : `evm-accel ${backend} (verify ${v.verify})`,
    backend,
    verify: v.verify,
    ...(check && (check.by === 'cpu-js' || check.by === 'reference') && { jsBound: true }),
    run,
  };
}

export function acceleratorKeccak(v: VerifyVariant, backend: BackendName): Contender<Uint8Array> {
  return accelerated(v, backend, 'keccak256', (b: Uint8Array[]) => v.accel.keccak256(b, { backend }));
}

export function acceleratorRecover(v: VerifyVariant, backend: BackendName): Contender<Signature> {
  return accelerated(v, backend, 'ecrecover', (b: Signature[]) => v.accel.ecrecover(b, { backend }));
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
