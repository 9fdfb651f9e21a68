import type { Accelerator, BackendName } from '../index.js';
import { acceleratorKeccak, hashWasmKeccak, nobleKeccak, type Contender, type VerifyVariant } from './contenders.js';
import { runKernelBench, type KernelBenchResult } from './kernel-bench.js';

export interface KeccakBenchOptions {
  backends: BackendName[];
  quick: boolean;
  /** Accelerators with other verification levels, measured beside `accel` (the default, 'sample'). */
  variants?: VerifyVariant[];
}

/**
 * Keccak-256 throughput of each evm-accel backend next to @noble/hashes and (when installed) hash-wasm, over batch
 * sizes 1…1M and message sizes 32/64/136/1000 bytes (64 bytes only with --quick).
 */
export async function benchKeccak(accel: Accelerator, o: KeccakBenchOptions): Promise<KernelBenchResult> {
  const hashWasm = await hashWasmKeccak();
  if (!hashWasm) process.stderr.write('bench keccak: hash-wasm is not installed (npm install hash-wasm to compare with it)\n');
  const peers = hashWasm ? [nobleKeccak, hashWasm] : [nobleKeccak];
  // cpu-js is the reference and never checked: its levels do not differ.
  const variants: VerifyVariant[] = [{ verify: 'sample', accel }, ...(o.variants ?? [])];
  const contenders: Contender<Uint8Array>[] = [...o.backends.flatMap((b) => (b === 'cpu-js' ? variants.slice(0, 1) : variants).map((v) => acceleratorKeccak(v, b))), ...peers];
  const batches = o.quick ? [1, 64, 4096, 65536] : [1, 16, 256, 4096, 65536, 262144, 1048576];
  const sizes = o.quick ? [64] : [32, 64, 136, 1000];
  return runKernelBench(accel, {
    kind: 'keccak',
    contenders,
    batches,
    // Single-threaded peers reach their flat rate by 4096 messages; going further only costs time.
    maxBatch: (c) => (c.backend && c.backend !== 'cpu-js' && !c.jsBound ? Infinity : 4096),
    inputs: sizes.map((bytes) => ({
      messageBytes: bytes,
      make: (n) => {
        const data = new Uint8Array(n * bytes);
        for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
        return Array.from({ length: n }, (_, i) => data.subarray(i * bytes, (i + 1) * bytes));
      },
    })),
    minMs: o.quick ? 100 : 300,
  });
}
