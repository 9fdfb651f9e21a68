import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Backend } from './backend.js';
import { fitCostModel, type CostModel } from './cost-model.js';
import { ECRECOVER, KECCAK, type KernelOutput, type KernelSpec } from './kernels.js';
import { packSignatures, type PackedMessages, type PackedSignatures } from './packing.js';
import { withTimeout } from './timeout.js';
import type { KernelName, Signature } from './types.js';

/** The large-batch measurement grows until one run takes this long. */
const TARGET_MS = 15;
/** A backend that hangs while being measured is not one to route to. */
const CALIBRATION_TIMEOUT_MS = 30_000;
/** The first batch of a kernel compiles it (a GPU pipeline; SwiftShader JIT-compiles for tens of seconds on a busy host). */
const FIRST_RUN_TIMEOUT_MS = 120_000;
/** Largest calibration batch: enough for a GPU's per-item cost to show through its latency. */
const MAX_ITEMS: Record<KernelName, number> = { keccak256: 1 << 20, ecrecover: 1 << 16 };
/** Message size of the Keccak samples: most Ethereum hashing (storage keys, addresses from keys). */
const MESSAGE_BYTES = 64;

/** Thrown when calibration stops because the accelerator is closing: not the backend's fault. */
export class CalibrationCancelled extends Error {
  override readonly name = 'CalibrationCancelled';
}

/** A calibration workload: batches of any size whose results are known. */
interface Workload<In> {
  spec: KernelSpec<In>;
  batch(n: number): In;
  /** Throws unless `out` is the right answer for `batch`. */
  check(batch: In, out: KernelOutput): void;
}

/** Distinct messages from a cheap generator (xorshift32): a million of them cost milliseconds. */
function messages(n: number): PackedMessages {
  const data = new Uint8Array(n * MESSAGE_BYTES);
  const words = new Uint32Array(data.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  const offsets = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    offsets[2 * i] = i * MESSAGE_BYTES;
    offsets[2 * i + 1] = MESSAGE_BYTES;
  }
  return { data, offsets, count: n };
}

const KECCAK_WORKLOAD: Workload<PackedMessages> = {
  spec: KECCAK,
  batch: messages,
  check(batch, out) {
    const n = batch.count;
    for (const i of new Set([0, n >> 1, n - 1])) expectItem(KECCAK, out, i, KECCAK.reference(batch, i));
  },
};

/** Signing is slow in JS: a few distinct signatures, repeated, measure recovery just as well. */
let signed: { sigs: Signature[]; keys: Uint8Array[] } | undefined;
function signatures(): { sigs: Signature[]; keys: Uint8Array[] } {
  signed ??= (() => {
    const sigs: Signature[] = [];
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      const secret = keccak_256(new Uint8Array([0xca, i]));
      const hash = keccak_256(new Uint8Array([0x5e, i]));
      const sig = secp256k1.sign(hash, secret, { prehash: false, format: 'recovered' });
      sigs.push({ hash, r: sig.subarray(1, 33), s: sig.subarray(33, 65), recovery: sig[0] as 0 | 1 });
      keys.push(secp256k1.getPublicKey(secret, false).subarray(1));
    }
    return { sigs, keys };
  })();
  return signed;
}

const ECRECOVER_WORKLOAD: Workload<PackedSignatures> = {
  spec: ECRECOVER,
  batch: (n) => {
    const { sigs } = signatures();
    return packSignatures(Array.from({ length: n }, (_, i) => sigs[i % sigs.length]!));
  },
  check(batch, out) {
    const { keys } = signatures();
    // The keys are known, so every item is checked.
    for (let i = 0; i < batch.count; i++) expectItem(ECRECOVER, out, i, keys[i % keys.length]!);
  },
};

function expectItem<In>(spec: KernelSpec<In>, out: KernelOutput, i: number, want: Uint8Array | null): void {
  const got = out.out.subarray(i * spec.outBytes, (i + 1) * spec.outBytes);
  const valid = out.valid ? out.valid[i] === 1 : true;
  const ok = want === null ? !valid : valid && got.length === want.length && got.every((b, k) => b === want[k]);
  if (!ok) throw new Error(`wrong ${spec.id} result for item ${i}`);
}

async function timed<In>(backend: Backend, w: Workload<In>, n: number, timeoutMs: number): Promise<number> {
  const batch = w.batch(n);
  const t0 = performance.now();
  const out = await withTimeout(w.spec.run(backend, batch), timeoutMs, () => new Error(`no ${w.spec.id} answer within ${timeoutMs} ms on ${n} items`));
  const ms = performance.now() - t0;
  if (!(out.out instanceof Uint8Array) || out.out.length !== n * w.spec.outBytes) {
    throw new Error(`malformed ${w.spec.id} result for ${n} items`);
  }
  // A backend that is fast but wrong must not win calibration.
  w.check(batch, out);
  return ms;
}

/**
 * Fits a kernel's cost line on one backend: the best of three single-item batches gives the
 * latency end; a batch grown ×4 until it takes TARGET_MS, in the better of two runs, gives the
 * per-item end (one slow run, such as a thread pool's first start, does not stop the growth).
 * Every result is checked against known answers.
 */
async function measure<In>(backend: Backend, w: Workload<In>, cancelled: () => boolean): Promise<CostModel> {
  const step = async (n: number, timeoutMs = CALIBRATION_TIMEOUT_MS): Promise<number> => {
    if (cancelled()) throw new CalibrationCancelled('accelerator closed during calibration');
    return timed(backend, w, n, timeoutMs);
  };
  const max = MAX_ITEMS[w.spec.needs];
  await step(1, FIRST_RUN_TIMEOUT_MS); // warm-up: pipelines, JIT
  const small = Math.min(await step(1), await step(1), await step(1));
  for (let n = 4; ; n = Math.min(n * 4, max)) {
    let ms = await step(n);
    if (ms < TARGET_MS && n < max) continue;
    ms = Math.min(ms, await step(n));
    if (ms >= TARGET_MS / 2 || n >= max) return fitCostModel({ n: 1, ms: small }, { n, ms });
  }
}

/**
 * Measures a backend's cost line for each kernel it implements. Throws (a fault of the backend)
 * when it errs, hangs or answers wrongly; CalibrationCancelled when `cancelled()` turns true.
 */
export async function calibrateBackend(
  backend: Backend,
  kernels: readonly KernelName[],
  cancelled: () => boolean,
): Promise<Partial<Record<KernelName, CostModel>>> {
  const models: Partial<Record<KernelName, CostModel>> = {};
  if (kernels.includes('keccak256')) models.keccak256 = await measure(backend, KECCAK_WORKLOAD, cancelled);
  if (kernels.includes('ecrecover')) models.ecrecover = await measure(backend, ECRECOVER_WORKLOAD, cancelled);
  return models;
}
