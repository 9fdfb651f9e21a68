/**
 * Benchmark of secp256k1 public-key recovery on WebGPU (the kernel alone, through
 * RecoverKernel): end-to-end rate (upload + dispatch + readback) per batch size for keys and
 * for addresses, next to the CPU backends measured in the same run. Progress on stderr, a table on
 * stdout, JSON in bench/results/.
 *
 *   npm run build && node dist/bench/webgpu-ecrecover.js [--batches 1024,65536,...] [--out DIR]
 *     [--swiftshader]   (use Chromium's SwiftShader Vulkan driver, for machines without a GPU)
 *     [--variants]      (also each lever turned down and other workgroup sizes, at --variant-batch)
 *     [--variant-batch N] (default: the largest of --batches)
 *     [--op-counts]     (also operation counts per recovery, default levers and each lever down:
 *                        one more compile each; exact, so the same on every device)
 *
 * The batch is a pool of distinct signatures (valid ones from random keys) repeated to the batch
 * size: every item costs a full recovery. Timings on a software adapter (SwiftShader) are CPU
 * emulation, not GPU results; the JSON names the adapter and its kind (hardware or software), and
 * on a software adapter adds the process's CPU seconds per recovery (less sensitive than wall time
 * to other load on the machine, still not a GPU figure).
 *
 * Operation counts (the kernel's op-count build, exact): field multiplications, squarings and
 * linear steps, scalar products, point doublings and additions per recovery and per phase, for
 * the default levers and for each lever turned down. They say what each lever removes on any
 * device; the variant rows say what that is worth on this one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { BACKEND_FACTORIES } from '../src/backends/registry.js';
import { recoverOneReference } from '../src/backends/cpu/js-backend.js';
import { GpuContext } from '../src/backends/webgpu/device.js';
import { resolveWebGpuOptions, type RecoverTuning } from '../src/backends/webgpu/config.js';
import { OP_KINDS, OP_PHASES, type OpCounts, type OpKind } from '../src/backends/webgpu/secp256k1/op-count.js';
import { DEFAULT_LEVERS, RecoverKernel, type RecoverLevers } from '../src/backends/webgpu/secp256k1/recover-kernel.js';
import { packageRoot } from '../src/package-root.js';
import { PUBKEY_BYTES, SIG_RECORD_BYTES, packSignatures, type PackedSignatures } from '../src/runtime/packing.js';
import type { BackendName } from '../src/runtime/types.js';
import { machineInfo } from '../src/bench/machine.js';
import { writeResults } from '../src/bench/results-file.js';

const POOL = 1024;
/** Recoveries the op-count build runs (all valid): one inverting workgroup at the default tuning. */
const OP_COUNT_BATCH = 128;

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '1024,16384,262144,1048576' },
    /** Folder for the JSON (default bench/results). */
    out: { type: 'string' },
    swiftshader: { type: 'boolean', default: false },
    variants: { type: 'boolean', default: false },
    'variant-batch': { type: 'string' },
    'op-counts': { type: 'boolean', default: false },
  },
});
const batches = values.batches.split(',').map(Number);
const variantBatch = Number(values['variant-batch'] ?? Math.max(...batches));
const log = (msg: string) => process.stderr.write(`[webgpu-ecrecover] ${msg}\n`);

/** A lever or tuning turned away from the default, one at a time. */
interface Variant {
  name: string;
  levers?: Partial<RecoverLevers>;
  tuning?: Partial<RecoverTuning>;
}
const LEVER_VARIANTS: Variant[] = [
  { name: 'no GLV (u2 whole, 256 doublings)', levers: { glv: false } },
  { name: 'window 5 (table 1R..16R)', levers: { window: 5 } },
  { name: 'window 3 (table 1R..4R)', levers: { window: 3 } },
];
const TUNING_VARIANTS: Variant[] = [
  // An inversion per 4 lanes: per SIMD group about what inverting in every lane costs.
  { name: 'batch inversion per 4 lanes', tuning: { batchWorkgroupSize: 4 } },
  { name: 'batch inversion per 32 lanes', tuning: { batchWorkgroupSize: 32 } },
  { name: 'batch inversion per 64 lanes', tuning: { batchWorkgroupSize: 64 } },
  { name: 'batch inversion per 256 lanes', tuning: { batchWorkgroupSize: 256 } },
  { name: 'multiply workgroup 32', tuning: { multiplyWorkgroupSize: 32 } },
  { name: 'multiply workgroup 128', tuning: { multiplyWorkgroupSize: 128 } },
  { name: 'multiply workgroup 256', tuning: { multiplyWorkgroupSize: 256 } },
];

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
const software = adapterInfo.kind === 'software';
log(`adapter ${adapterInfo.label} (${adapterInfo.kind})`);
const defaultTuning = resolveWebGpuOptions().ecrecover;

let t = performance.now();
const kernel = await RecoverKernel.create(ctx, defaultTuning);
const compileMs = performance.now() - t;
log(`pipelines compiled in ${compileMs.toFixed(0)} ms`);
// First use allocates the buffers and may finish driver-side setup: keep it out of the rows.
await kernel.recover(tile(64));

interface Row {
  backend: string;
  output: string;
  batch: number;
  seconds: number;
  perSecond: number;
  /** Software adapters only: the process's CPU seconds per item (SwiftShader's threads are in it). */
  cpuSecondsPerItem?: number;
}
const rows: Row[] = [];
for (const n of batches) {
  const batch = tile(n);
  for (const output of ['keys', 'addresses'] as const) {
    log(`webgpu ${output} batch ${n}`);
    if (output === 'keys') {
      const { row, result } = await timed(n, () => kernel.recover(batch), { backend: 'webgpu', output });
      checkKeys(result, n);
      rows.push(row);
    } else {
      rows.push((await timed(n, () => kernel.recoverAddresses(batch), { backend: 'webgpu', output })).row);
    }
  }
}
kernel.destroy();

interface VariantRow extends Row {
  variant: string;
  levers: RecoverLevers;
  tuning: RecoverTuning;
  compileMs: number;
}
const variantRows: VariantRow[] = [];
if (values.variants) {
  for (const v of [{ name: 'default' }, ...LEVER_VARIANTS, ...TUNING_VARIANTS] as Variant[]) {
    const levers = { ...DEFAULT_LEVERS, ...v.levers };
    const tuning = { ...defaultTuning, ...v.tuning };
    let k: RecoverKernel;
    t = performance.now();
    try {
      k = await RecoverKernel.create(ctx, tuning, { levers });
    } catch (e) {
      log(`variant ${v.name} not measured: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const variantCompileMs = performance.now() - t;
    const batch = tile(variantBatch);
    await k.recover(tile(64));
    log(`variant ${v.name}: keys batch ${variantBatch}`);
    const { row, result } = await timed(variantBatch, () => k.recover(batch), { backend: 'webgpu', output: 'keys' });
    checkKeys(result, variantBatch);
    variantRows.push({ variant: v.name, levers, tuning, compileMs: variantCompileMs, ...row });
    k.destroy();
  }
}

/** Operations per recovery, per phase and in total, from the op-count build. */
interface OpCountRecord {
  variant: string;
  levers: RecoverLevers;
  batch: number;
  perRecovery: OpCounts;
  total: Record<OpKind, number>;
}
const opCounts: OpCountRecord[] = [];
if (values['op-counts']) {
  for (const v of [{ name: 'default' }, ...LEVER_VARIANTS] as Variant[]) {
    const levers = { ...DEFAULT_LEVERS, ...v.levers };
    log(`op counts: ${v.name}`);
    const k = await RecoverKernel.create(ctx, defaultTuning, { levers, countOps: true });
    checkKeys(await k.recover(tile(OP_COUNT_BATCH)), OP_COUNT_BATCH);
    const counts = await k.opCounts();
    k.destroy();
    const perRecovery = {} as OpCounts;
    const total = Object.fromEntries(OP_KINDS.map((kind) => [kind, 0])) as Record<OpKind, number>;
    for (const phase of OP_PHASES) {
      perRecovery[phase] = {} as Record<OpKind, number>;
      for (const kind of OP_KINDS) {
        perRecovery[phase][kind] = counts[phase][kind] / OP_COUNT_BATCH;
        total[kind] += perRecovery[phase][kind];
      }
    }
    opCounts.push({ variant: v.name, levers, batch: OP_COUNT_BATCH, perRecovery, total });
  }
}
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
if (variantRows.length > 0) {
  const base = variantRows.find((r) => r.variant === 'default')?.perSecond ?? 0;
  console.log(`\nvariant (keys, batch ${variantBatch})            per second   vs default`);
  for (const r of variantRows) {
    console.log(`${r.variant.padEnd(40)} ${r.perSecond.toFixed(0).padEnd(12)} ${base > 0 ? (r.perSecond / base).toFixed(2) + '×' : '-'}`);
  }
}
if (opCounts.length > 0) {
  console.log('\noperations per recovery            field mul  field sqr  linear  scalar mul  doublings  additions');
  for (const c of opCounts) {
    const f = (k: OpKind) => c.total[k].toFixed(1).padEnd(k === 'fieldLinear' ? 8 : 11);
    console.log(`${c.variant.padEnd(35)}${f('fieldMul')}${f('fieldSqr')}${f('fieldLinear')}${f('scalarMul')}${f('pointDouble')}${f('pointAdd')}`);
  }
}
const kind = /swiftshader/i.test(adapterInfo.label) ? 'swiftshader' : adapterInfo.kind;
const file = writeResults(`webgpu-ecrecover-${kind}`, {
  bench: 'webgpu-ecrecover',
  date: new Date().toISOString(),
  machine: machineInfo([]),
  adapter: adapterInfo,
  note: software ? 'software adapter: CPU emulation, not GPU figures' : 'hardware adapter',
  tuning: defaultTuning,
  levers: DEFAULT_LEVERS,
  compileMs,
  rows,
  variants: variantRows,
  opCounts,
}, values.out ?? join(packageRoot(), 'bench', 'results'));
log(`wrote ${file}`);

/** Times `run` over n items; on a software adapter also the process's CPU time per item. */
async function timed<T>(n: number, run: () => Promise<T>, what: { backend: string; output: string }): Promise<{ row: Row; result: T }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const row: Row = { ...what, batch: n, seconds, perSecond: n / seconds };
  if (software) row.cpuSecondsPerItem = (cpu.user + cpu.system) / 1e6 / n;
  return { row, result };
}

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
