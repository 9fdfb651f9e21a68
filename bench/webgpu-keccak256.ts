/**
 * Benchmark of the WebGPU Keccak-256 backend: kernel-only rate (GPU timestamps around each
 * dispatch, where the adapter has 'timestamp-query') and end-to-end rate (packing + upload +
 * dispatch + readback) for several message sizes and batch sizes, a sweep of lane layout ×
 * round style × workgroup size, raw upload/readback bandwidth, and the CPU backends measured in the same run.
 * Progress goes to stderr, a table to stdout, JSON to bench/results/.
 *
 *   npm run build && node dist/bench/webgpu-keccak256.js [--quick] [--sizes 32,64,136,1000]
 *     [--batches 1000,...] [--lanes plain,interleaved] [--rounds loop,unrolled]
 *     [--workgroups 32,64,128,256]
 *     [--max-bytes N] [--min-time-ms N] [--out FILE]
 *
 * Timings on a software adapter (SwiftShader, lavapipe) are CPU emulation, not GPU results; the
 * JSON says which kind of adapter produced them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { keccakReference } from '../src/backends/cpu/js-backend.js';
import { BACKEND_FACTORIES } from '../src/backends/registry.js';
import { resolveWebGpuOptions, type LaneLayout } from '../src/backends/webgpu/config.js';
import type { RoundStyle } from '../src/backends/webgpu/keccak-codegen.js';
import { packageRoot } from '../src/package-root.js';
import { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend.js';
import type { Backend } from '../src/runtime/backend.js';
import { packMessages, type PackedMessages } from '../src/runtime/packing.js';

/** Goals of issue 3 for an H100-class GPU, hashes per second of 64-byte messages. */
const GOALS = { kernel: 2e9, kernelFloor: 1e9, endToEnd: 100e6 };

interface Config {
  quick: boolean;
  sizes: number[];
  batches: number[];
  lanes: LaneLayout[];
  rounds: RoundStyle[];
  workgroups: number[];
  /** Largest batch of message bytes built on the host. */
  maxBytes: number;
  /** Each measurement repeats until it has run this long (at least twice, after a warm-up). */
  minTimeMs: number;
  out?: string;
}

interface GridRow {
  size: number;
  batch: number;
  reps: number;
  packMs: number;
  backendMs: number;
  endToEndRate: number;
  backendRate: number;
  kernelRate: number | null;
}

const log = (s: string): void => void process.stderr.write(`[bench webgpu-keccak256] ${s}\n`);
const list = (s: string): number[] => s.split(',').map((x) => Number(x.replace(/k$/i, 'e3').replace(/m$/i, 'e6')));

function parse(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      batches: { type: 'string' },
      lanes: { type: 'string' },
      rounds: { type: 'string' },
      workgroups: { type: 'string' },
      'max-bytes': { type: 'string' },
      'min-time-ms': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick!;
  const lanes = (values.lanes ?? 'plain,interleaved').split(',');
  for (const l of lanes) if (l !== 'plain' && l !== 'interleaved') throw new Error(`--lanes: unknown layout ${l}`);
  const rounds = (values.rounds ?? 'loop,unrolled').split(',');
  for (const r of rounds) if (r !== 'loop' && r !== 'unrolled') throw new Error(`--rounds: unknown style ${r}`);
  return {
    quick,
    sizes: list(values.sizes ?? '32,64,136,1000'),
    batches: list(values.batches ?? (quick ? '1k,10k,100k' : '1k,10k,100k,1m,4m')),
    lanes: lanes as LaneLayout[],
    rounds: rounds as RoundStyle[],
    workgroups: list(values.workgroups ?? (quick ? '64,256' : '32,64,128,256')),
    maxBytes: Number(values['max-bytes'] ?? (quick ? 64 << 20 : 1 << 30)),
    minTimeMs: Number(values['min-time-ms'] ?? (quick ? 200 : 2000)),
    out: values.out,
  };
}

/** `count` messages of `size` bytes, as views into one random buffer (so building them is cheap). */
function messages(count: number, size: number): Uint8Array[] {
  const pool = new Uint8Array(size + 4096);
  for (let i = 0; i < pool.length; i++) pool[i] = (i * 2654435761) >>> 24;
  return Array.from({ length: count }, (_, i) => pool.subarray(i % 4096, (i % 4096) + size));
}

/** Checks the first and last few digests against @noble/hashes; a fast backend that is wrong is no result. */
function verifySample(batch: PackedMessages, out: Uint8Array): void {
  const idx = [0, 1, 2, batch.count - 2, batch.count - 1].filter((i) => i >= 0 && i < batch.count);
  for (const i of idx) {
    const s = batch.offsets[2 * i]!;
    const ref = keccakReference(batch.data.subarray(s, s + batch.offsets[2 * i + 1]!));
    if (Buffer.compare(Buffer.from(ref), Buffer.from(out.subarray(32 * i, 32 * i + 32))) !== 0) {
      throw new Error(`digest ${i} differs from @noble/hashes`);
    }
  }
}

/** Repeats `fn` after one warm-up until `minTimeMs` have passed (at least twice). */
async function repeat(minTimeMs: number, fn: () => Promise<void>): Promise<number> {
  await fn();
  const t0 = performance.now();
  let reps = 0;
  do {
    await fn();
    reps++;
  } while (reps < 2 || performance.now() - t0 < minTimeMs);
  return reps;
}

async function openGpu(lanes: LaneLayout, rounds: RoundStyle, workgroupSize: number): Promise<WebGpuBackend> {
  return WebGpuBackend.open(
    resolveWebGpuOptions({
      // Dawn rounds timestamps to 100 µs by default, too coarse for small dispatches.
      dawnFlags: ['disable-dawn-features=timestamp_quantization'],
      timestamps: true,
      keccak: { lanes, rounds, workgroupSize, profile: true },
    }),
  );
}

/** Kernel-only and backend rates for one batch on an open backend. */
async function measure(b: WebGpuBackend, msgs: Uint8Array[], minTimeMs: number): Promise<GridRow> {
  const kernel = await b.kernel('keccak256');
  let packMs = 0;
  let backendMs = 0;
  let kernelNs0 = 0;
  let count0 = 0;
  let first = true;
  const reps = await repeat(minTimeMs, async () => {
    const t0 = performance.now();
    const packed = packMessages(msgs);
    const t1 = performance.now();
    const out = await b.keccak256(packed);
    const t2 = performance.now();
    if (first) {
      verifySample(packed, out);
      first = false;
      kernelNs0 = kernel.stats.kernelNs;
      count0 = kernel.stats.messages;
      return;
    }
    packMs += t1 - t0;
    backendMs += t2 - t1;
  });
  const n = msgs.length * reps;
  const kernelNs = kernel.stats.kernelNs - kernelNs0;
  return {
    size: msgs[0]!.length,
    batch: msgs.length,
    reps,
    packMs: packMs / reps,
    backendMs: backendMs / reps,
    endToEndRate: n / ((packMs + backendMs) / 1e3),
    backendRate: n / (backendMs / 1e3),
    kernelRate: kernelNs > 0 ? (kernel.stats.messages - count0) / (kernelNs / 1e9) : null,
  };
}

/** Raw host→device and device→host bandwidth, bytes per second, to see what bounds end to end. */
async function bandwidth(b: WebGpuBackend, bytes: number): Promise<{ uploadBps: number; readbackBps: number; bytes: number }> {
  const { device } = await b.context();
  const size = Math.min(bytes, device.limits.maxBufferSize) & ~3;
  const host = new Uint8Array(size);
  const dst = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const rb = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    let up = 0;
    let down = 0;
    const reps = await repeat(500, async () => {
      const t0 = performance.now();
      device.queue.writeBuffer(dst, 0, host);
      await device.queue.onSubmittedWorkDone();
      const t1 = performance.now();
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(dst, 0, rb, 0, size);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      rb.unmap();
      up += t1 - t0;
      down += performance.now() - t1;
    });
    // The warm-up call also added to the sums; average over every call.
    return { uploadBps: (size * (reps + 1)) / (up / 1e3), readbackBps: (size * (reps + 1)) / (down / 1e3), bytes: size };
  } finally {
    dst.destroy();
    rb.destroy();
  }
}

/** The CPU backends present, measured on the same messages (batch capped: they are far slower). */
async function peers(cfg: Config): Promise<{ backend: string; size: number; batch: number; rate: number }[]> {
  const rows: { backend: string; size: number; batch: number; rate: number }[] = [];
  for (const name of ['cpu-native', 'cpu-js'] as const) {
    let backend: Backend;
    try {
      backend = await BACKEND_FACTORIES[name]({});
    } catch (e) {
      log(`${name}: not measured (${(e as Error).message})`);
      continue;
    }
    try {
      for (const size of cfg.sizes) {
        const batch = Math.min(cfg.quick ? 10_000 : 100_000, Math.floor(cfg.maxBytes / Math.max(size, 1)));
        const packed = packMessages(messages(batch, size));
        let ms = 0;
        const reps = await repeat(cfg.minTimeMs, async () => {
          const t0 = performance.now();
          await backend.keccak256(packed);
          ms += performance.now() - t0;
        });
        rows.push({ backend: name, size, batch, rate: (batch * (reps + 1)) / (ms / 1e3) });
        log(`${name} ${size} B: ${fmt(rows.at(-1)!.rate)}/s`);
      }
    } finally {
      await backend.close();
    }
  }
  return rows;
}

const fmt = (r: number | null): string =>
  r === null ? 'n/a' : r >= 1e9 ? `${(r / 1e9).toFixed(2)} G` : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(1)} k`;

/** Runs the benchmark; returns the process exit code. */
export async function benchWebGpuKeccak(argv: string[]): Promise<number> {
  const cfg = parse(argv);
  const machine = {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };

  // Sweep: lane layout × round style × workgroup size, kernel rate on one batch of 64-byte messages.
  const sweepBatch = cfg.quick ? 65_536 : 1 << 20;
  const sweepMsgs = messages(sweepBatch, 64);
  type SweepRow = { lanes: LaneLayout; rounds: RoundStyle; workgroupSize: number; kernelRate: number | null; backendRate: number };
  const sweep: SweepRow[] = [];
  let adapter: ReturnType<WebGpuBackend['describe']> | undefined;
  for (const lanes of cfg.lanes) {
    for (const rounds of cfg.rounds) {
      for (const wg of cfg.workgroups) {
        log(`sweep: lanes=${lanes} rounds=${rounds} workgroup=${wg}, ${sweepBatch} × 64 B`);
        const b = await openGpu(lanes, rounds, wg);
        try {
          adapter ??= b.describe();
          if (wg > (await b.context()).limits.maxComputeInvocationsPerWorkgroup) continue;
          const t0 = performance.now();
          await b.kernel('keccak256');
          log(`  compiled in ${(performance.now() - t0).toFixed(0)} ms`);
          const r = await measure(b, sweepMsgs, cfg.minTimeMs);
          sweep.push({ lanes, rounds, workgroupSize: wg, kernelRate: r.kernelRate, backendRate: r.backendRate });
          log(`  kernel ${fmt(r.kernelRate)}/s, backend ${fmt(r.backendRate)}/s`);
        } finally {
          await b.close();
        }
      }
    }
  }
  const score = (s: SweepRow): number => s.kernelRate ?? s.backendRate;
  const best = sweep.reduce((a, b) => (score(b) > score(a) ? b : a));
  log(`best: lanes=${best.lanes} rounds=${best.rounds} workgroup=${best.workgroupSize}`);

  // Grid with the best tuning: every message size × batch size the host memory cap allows.
  const b = await openGpu(best.lanes, best.rounds, best.workgroupSize);
  const grid: GridRow[] = [];
  let probe;
  try {
    adapter = b.describe();
    log(`adapter: ${adapter.device} (${adapter.kind})`);
    for (const size of cfg.sizes) {
      for (const batch of cfg.batches) {
        if (size * batch > cfg.maxBytes) {
          log(`skip ${batch} × ${size} B: over --max-bytes ${cfg.maxBytes}`);
          continue;
        }
        log(`grid: ${batch} × ${size} B`);
        const row = await measure(b, messages(batch, size), cfg.minTimeMs);
        grid.push(row);
        log(`  kernel ${fmt(row.kernelRate)}/s, end to end ${fmt(row.endToEndRate)}/s (pack ${row.packMs.toFixed(1)} ms, backend ${row.backendMs.toFixed(1)} ms)`);
      }
    }
    log('bandwidth probe');
    probe = await bandwidth(b, cfg.quick ? 16 << 20 : 256 << 20);
  } finally {
    await b.close();
  }
  const cpu = await peers(cfg);

  const software = adapter!.kind === 'software';
  const at64 = grid.filter((r) => r.size === 64);
  const top = (f: (r: GridRow) => number | null): number => Math.max(0, ...at64.map((r) => f(r) ?? 0));
  const goals = {
    kernel64: { best: top((r) => r.kernelRate), goal: GOALS.kernel, floor: GOALS.kernelFloor },
    endToEnd64: { best: top((r) => r.endToEndRate), goal: GOALS.endToEnd },
  };
  const result = {
    bench: 'webgpu-keccak256',
    date: new Date().toISOString(),
    machine,
    adapter,
    note: software
      ? 'software adapter: these timings are CPU emulation of a GPU, not GPU results'
      : 'hardware adapter',
    config: cfg,
    sweep,
    best: { lanes: best.lanes, rounds: best.rounds, workgroupSize: best.workgroupSize },
    grid,
    bandwidth: probe,
    cpuPeers: cpu,
    goals,
  };

  const table = [
    `adapter: ${adapter!.device} [${adapter!.kind}]${software ? ' — NOT GPU RESULTS' : ''}`,
    `tuning: lanes=${best.lanes} rounds=${best.rounds} workgroup=${best.workgroupSize} (set EVM_ACCEL_WEBGPU_LANES/ROUNDS/WORKGROUP to use it)`,
    'size  batch      kernel/s     backend/s    end-to-end/s  pack ms  backend ms',
    ...grid.map(
      (r) =>
        `${String(r.size).padEnd(5)} ${String(r.batch).padEnd(10)} ${fmt(r.kernelRate).padEnd(12)} ${fmt(r.backendRate).padEnd(12)} ${fmt(r.endToEndRate).padEnd(13)} ${r.packMs.toFixed(1).padEnd(8)} ${r.backendMs.toFixed(1)}`,
    ),
    `upload ${(probe!.uploadBps / 1e9).toFixed(2)} GB/s, readback ${(probe!.readbackBps / 1e9).toFixed(2)} GB/s`,
    ...cpu.map((p) => {
      const gpu = Math.max(0, ...grid.filter((r) => r.size === p.size).map((r) => r.endToEndRate));
      return `${p.backend} ${p.size} B: ${fmt(p.rate)}/s; webgpu end to end / ${p.backend} = ${(gpu / p.rate).toFixed(2)}`;
    }),
    `64 B kernel best ${fmt(goals.kernel64.best)}/s = ${((100 * goals.kernel64.best) / GOALS.kernel).toFixed(1)}% of the 2 G/s goal; ` +
      `end to end ${fmt(goals.endToEnd64.best)}/s = ${((100 * goals.endToEnd64.best) / GOALS.endToEnd).toFixed(1)}% of 100 M/s`,
  ];
  process.stdout.write(table.join('\n') + '\n');

  const slug = String(adapter!.details?.architecture || adapter!.details?.vendor || 'adapter').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const out = cfg.out ?? join(packageRoot(), 'bench', 'results', `webgpu-keccak256-${slug}-${result.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${out}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchWebGpuKeccak(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`bench webgpu-keccak256: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
