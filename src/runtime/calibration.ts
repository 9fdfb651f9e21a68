import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ECRECOVER, KECCAK, type KernelSpec } from './kernels.js';
import { packMessages, packSignatures, type PackedMessages, type PackedSignatures } from './packing.js';
import type { RoutedBackend } from './router.js';
import { withTimeout } from './timeout.js';
import type { KernelName, Signature } from './types.js';

/** Calibration stops growing a batch once one run takes this long. */
const TARGET_MS = 30;
/** A backend that hangs while being measured is not one to route to. */
const CALIBRATION_TIMEOUT_MS = 30_000;
const MAX_ITEMS: Record<KernelName, number> = { keccak256: 1 << 16, ecrecover: 1 << 12 };

function keccakSample(n: number): PackedMessages {
  const msgs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) msgs.push(keccak_256(new Uint8Array([i & 0xff, i >> 8, i >> 16])).subarray(0, 32));
  // 64-byte messages: the size of most Ethereum hashing (storage keys, addresses from keys).
  return packMessages(msgs.map((m) => new Uint8Array([...m, ...m])));
}

let signatures: Signature[] | undefined;
function ecrecoverSample(n: number): PackedSignatures {
  // Signing is slow in JS; a few distinct signatures repeated measure recovery just as well.
  signatures ??= Array.from({ length: 16 }, (_, i) => {
    const key = keccak_256(new Uint8Array([0xca, i]));
    const hash = keccak_256(new Uint8Array([0x5e, i]));
    const sig = secp256k1.sign(hash, key, { prehash: false, format: 'recovered' });
    return { hash, r: sig.subarray(1, 33), s: sig.subarray(33, 65), recovery: sig[0] as 0 | 1 };
  });
  return packSignatures(Array.from({ length: n }, (_, i) => signatures![i % signatures!.length]!));
}

async function measure<In>(entry: RoutedBackend, spec: KernelSpec<In>, sample: (n: number) => In): Promise<number> {
  const backend = entry.backend!;
  await spec.run(backend, sample(16)); // warm-up: pipelines, JIT, thread start
  let n = 64;
  for (;;) {
    const batch = sample(n);
    const t0 = performance.now();
    const out = await spec.run(backend, batch);
    const ms = performance.now() - t0;
    // A backend that is fast but wrong must not win calibration.
    for (const i of [0, n - 1]) {
      const want = spec.reference(batch, i);
      const got = out.out.subarray(i * spec.outBytes, (i + 1) * spec.outBytes);
      if (!want || want.length !== got.length || !want.every((b, k) => b === got[k])) {
        throw new Error(`calibration: wrong ${spec.id} result`);
      }
    }
    if (ms >= TARGET_MS || n >= MAX_ITEMS[spec.needs]) return (n * 1000) / Math.max(ms, 0.001);
    n *= 2;
  }
}

/**
 * Measures each ready backend's rate per kernel on small batches, so routing can rank them; a
 * backend that throws or computes a wrong answer here is marked failed before any user batch.
 */
export async function calibrate(entries: RoutedBackend[]): Promise<void> {
  for (const entry of entries) {
    if (entry.info.status !== 'ready' || !entry.backend) continue;
    const bounded = <T>(p: Promise<T>) =>
      withTimeout(p, CALIBRATION_TIMEOUT_MS, () => new Error(`calibration took over ${CALIBRATION_TIMEOUT_MS} ms`));
    try {
      if (entry.info.kernels.includes('keccak256')) entry.rate.keccak256 = await bounded(measure(entry, KECCAK, keccakSample));
      if (entry.info.kernels.includes('ecrecover')) {
        entry.rate.ecrecover = await bounded(measure(entry, ECRECOVER, ecrecoverSample));
      }
      entry.info.calibratedRate = { ...entry.rate };
    } catch (err) {
      entry.info.status = 'failed';
      entry.info.reason = err instanceof Error ? err.message : String(err);
    }
  }
}
