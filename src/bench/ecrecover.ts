import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Accelerator, BackendName, Signature } from '../index.js';
import { acceleratorRecover, nobleRecover, type Contender, type VerifyVariant } from './contenders.js';
import { runKernelBench, type KernelBenchResult } from './kernel-bench.js';

export interface EcrecoverBenchOptions {
  backends: BackendName[];
  quick: boolean;
  /** Largest batch for the evm-accel backends. */
  maxBatch: number;
  /** Accelerators with other verification levels, measured beside `accel` (the default, 'sample'). */
  variants?: VerifyVariant[];
}

/** Distinct valid signatures (signing in JS is slow, so 512 are made and cycled). */
function signatures(n: number): Signature[] {
  const base = Array.from({ length: Math.min(n, 512) }, (_, i) => {
    const hash = keccak_256(new Uint8Array([1, i & 0xff, i >> 8]));
    const sig = secp256k1.sign(hash, keccak_256(new Uint8Array([2, i & 0xff, i >> 8])), { prehash: false, format: 'recovered' });
    return { hash, r: sig.subarray(1, 33), s: sig.subarray(33, 65), recovery: sig[0] as 0 | 1 };
  });
  return Array.from({ length: n }, (_, i) => base[i % base.length]!);
}

/** Public-key recovery throughput of each evm-accel backend next to @noble/curves, batch 1…maxBatch. */
export async function benchEcrecover(accel: Accelerator, o: EcrecoverBenchOptions): Promise<KernelBenchResult> {
  // cpu-js is the reference and never checked: its levels do not differ.
  const variants: VerifyVariant[] = [{ verify: 'sample', accel }, ...(o.variants ?? [])];
  const contenders: Contender<Signature>[] = [...o.backends.flatMap((b) => (b === 'cpu-js' ? variants.slice(0, 1) : variants).map((v) => acceleratorRecover(v, b))), nobleRecover];
  const batches = [1, 16, 256, 4096, 16384, 65536, 262144, 1048576].filter((b) => b <= o.maxBatch);
  return runKernelBench(accel, {
    kind: 'ecrecover',
    contenders,
    batches: o.quick ? batches.filter((b) => b === 1 || b === 256 || b === Math.min(4096, o.maxBatch)) : batches,
    // JS recovery costs ~2 ms whatever the batch: 256 measure its flat rate.
    maxBatch: (c) => (c.backend && c.backend !== 'cpu-js' && !c.jsBound ? Infinity : 256),
    inputs: [{ make: signatures }],
    minMs: o.quick ? 100 : 300,
  });
}
