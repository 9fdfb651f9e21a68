/**
 * Benchmark of secp256k1 public-key recovery on WebGPU (the kernel alone, through
 * RecoverKernel): end-to-end rate (upload + dispatch + readback) per batch size for keys and
 * for addresses, next to the CPU backends measured in the same run. Progress on stderr, a table on
 * stdout, JSON in bench/results/.
 *
 *   npm run build && node dist/bench/webgpu-ecrecover.js [--batches 1024,65536,...] [--out DIR]
 *     [--swiftshader]   (use Chromium's SwiftShader Vulkan driver, for machines without a GPU)
 *
 * The batch is a pool of distinct signatures (valid ones from random keys) repeated to the batch
 * size: every item costs a full recovery. Timings on a software adapter (SwiftShader) are CPU
 * emulation, not GPU results; the JSON names the adapter and its kind (hardware or software).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { BACKEND_FACTORIES } from '../src/backends/registry.js';
import { recoverOneReference } from '../src/backends/cpu/js-backend.js';
import { GpuContext } from '../src/backends/webgpu/device.js';
import { resolveWebGpuOptions } from '../src/backends/webgpu/config.js';
import { RecoverKernel } from '../src/backends/webgpu/secp256k1/recover-kernel.js';
import { packageRoot } from '../src/package-root.js';
import { PUBKEY_BYTES, SIG_RECORD_BYTES, packSignatures, type PackedSignatures } from '../src/runtime/packing.js';
import type { BackendName } from '../src/runtime/types.js';
import { machineInfo } from '../src/bench/machine.js';
import { writeResults } from '../src/bench/results-file.js';

const POOL = 1024;

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '1024,16384,262144,1048576' },
    /** Folder for the JSON (default bench/results). */
    out: { type: 'string' },
    swiftshader: { type: 'boolean', default: false },
  },
});
const batches = values.batches.split(',').map(Number);
const log = (msg: string) => process.stderr.write(`[webgpu-ecrecover] ${msg}\n`);

log(`signing a pool of ${POOL} signatures`);
const pool = packSignatures(
  Array.from({ length: POOL }, () => {
    const hash = secp256k1.utils.randomSecretKey();
    const rec = secp256k1.sign(hash, secp256k1.utils.randomSecretKey(), { prehash: false, format: 'recovered' });
    return { hash, r: rec.subarray(1, 33), s: rec.subarray(33), recovery: rec[0]! as 0 | 1 };
  }),
);
const expected = Array.from({ length: POOL }, (_, i) => recoverOneReference(pool.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES))!);

if (values.swiftshader) {
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'xdg-'));
}
const ctx = await GpuContext.acquire({ powerPreference: 'high-performance' });
const { info: adapterInfo } = ctx;
log(`adapter ${adapterInfo.label} (${adapterInfo.kind})`);

let t = performance.now();
const kernel = await RecoverKernel.create(ctx, resolveWebGpuOptions().ecrecover);
const compileMs = performance.now() - t;
log(`pipeline compiled in ${compileMs.toFixed(0)} ms`);
// First use allocates the buffers and may finish driver-side setup: keep it out of the rows.
await kernel.recover(tile(64));

const rows: { backend: string; output: string; batch: number; seconds: number; perSecond: number }[] = [];
for (const n of batches) {
  const batch = tile(n);
  for (const output of ['keys', 'addresses'] as const) {
    log(`webgpu ${output} batch ${n}`);
    t = performance.now();
    const res = output === 'keys' ? await kernel.recover(batch) : await kernel.recoverAddresses(batch);
    const seconds = (performance.now() - t) / 1000;
    if (output === 'keys') checkKeys(res as { keys: Uint8Array; valid: Uint8Array }, n);
    rows.push({ backend: 'webgpu', output, batch: n, seconds, perSecond: n / seconds });
  }
}
kernel.destroy();
ctx.destroy();

for (const name of ['cpu-native', 'cpu-js'] as BackendName[]) {
  try {
    const backend = await BACKEND_FACTORIES[name]({});
    const n = name === 'cpu-js' ? POOL : Math.min(Math.max(...batches), 65536);
    log(`${name} keys batch ${n}`);
    t = performance.now();
    await backend.ecrecover!(tile(n));
    const seconds = (performance.now() - t) / 1000;
    rows.push({ backend: name, output: 'keys', batch: n, seconds, perSecond: n / seconds });
    await backend.close();
  } catch (e) {
    log(`${name} not measured: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const cpuBest = Math.max(0, ...rows.filter((r) => r.backend !== 'webgpu').map((r) => r.perSecond));
console.log('backend     output     batch      seconds    per second   vs best CPU');
for (const r of rows) {
  const ratio = cpuBest > 0 ? (r.perSecond / cpuBest).toFixed(2) + '×' : '-';
  console.log(`${r.backend.padEnd(11)} ${r.output.padEnd(10)} ${String(r.batch).padEnd(10)} ${r.seconds.toFixed(3).padEnd(10)} ${r.perSecond.toFixed(0).padEnd(12)} ${ratio}`);
}
const kind = /swiftshader/i.test(adapterInfo.label) ? 'swiftshader' : adapterInfo.kind;
const file = writeResults(`webgpu-ecrecover-${kind}`, {
  bench: 'webgpu-ecrecover',
  date: new Date().toISOString(),
  machine: machineInfo([]),
  adapter: adapterInfo,
  note: adapterInfo.kind === 'software' ? 'software adapter: CPU emulation, not GPU figures' : 'hardware adapter',
  compileMs,
  rows,
}, values.out ?? join(packageRoot(), 'bench', 'results'));
log(`wrote ${file}`);

/** The pool repeated to n records. */
function tile(n: number): PackedSignatures {
  const records = new Uint8Array(n * SIG_RECORD_BYTES);
  for (let at = 0; at < n; at += POOL) {
    const k = Math.min(POOL, n - at);
    records.set(pool.records.subarray(0, k * SIG_RECORD_BYTES), at * SIG_RECORD_BYTES);
  }
  return { records, count: n };
}

/** A benchmark of wrong answers measures nothing: every key must equal noble's. */
function checkKeys(res: { keys: Uint8Array; valid: Uint8Array }, n: number): void {
  for (let i = 0; i < n; i++) {
    const want = expected[i % POOL]!;
    const got = res.keys.subarray(i * PUBKEY_BYTES, (i + 1) * PUBKEY_BYTES);
    if (!res.valid[i] || !want.every((b, k) => b === got[k])) throw new Error(`item ${i}: GPU key differs from noble`);
  }
}
