/**
 * Benchmark of Keccak-256 on WebGPU end to end, the way a caller gets it: the packed path
 * (`keccak256Packed`: data + offsets handed over as they are) and the array path (`keccak256`:
 * packing in JavaScript first), for each message size × batch size, with where the time goes —
 * pack, upload (staging map wait + copy), kernel (GPU timestamps), transfers and readback — the
 * upload rate against the PCIe link, and cpu-native measured on the same batch in the same run.
 * Progress on stderr, a table on stdout, JSON in bench/results/ (or --out).
 *
 *   npm run build && node dist/bench/webgpu-keccak256.js [--quick] [--sizes 64,136] [--batches 100k,1m]
 *     [--min-time-ms N] [--sweep] [--link-gbps N] [--out DIR]
 *
 * --sweep also measures the kernel under every lane layout × round style × workgroup size.
 * Timings on a software adapter (SwiftShader: EVM_ACCEL_WEBGPU_ADAPTER=swiftshader) are CPU
 * emulation, not GPU results; the JSON and the table say so, and no target is evaluated on them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { keccakReference } from '../src/backends/cpu/js-backend.js';
import { BACKEND_FACTORIES } from '../src/backends/registry.js';
import { resolveWebGpuOptions, type KeccakTuning, type LaneLayout } from '../src/backends/webgpu/config.js';
import type { RoundStyle } from '../src/backends/webgpu/keccak-codegen.js';
import type { KeccakKernelStats } from '../src/backends/webgpu/keccak-kernel.js';
import { WebGpuBackend } from '../src/backends/webgpu/webgpu-backend.js';
import { machineInfo } from '../src/bench/machine.js';
import { writeResults } from '../src/bench/results-file.js';
import { packageRoot } from '../src/package-root.js';
import { packMessages, type PackedMessages } from '../src/runtime/packing.js';

/** Issue #14's targets at 1M × 64 B on a GPU: messages per second end to end, and GPU ÷ cpu-native. */
export const KECCAK_TARGETS = { endToEnd: 100e6, endToEndFloor: 40e6, ratioToCpuNative: 3, batch: 1 << 20, size: 64 };

interface Config {
  quick: boolean;
  sizes: number[];
  batches: number[];
  minTimeMs: number;
  sweep: boolean;
  linkGBps?: number;
  out?: string;
}

/** Host time per stage for one batch, ms (stages of successive chunks overlap). */
type Stages = KeccakKernelStats['stageMs'];

interface Row {
  path: 'packed' | 'arrays' | 'packed-serial';
  size: number;
  batch: number;
  reps: number;
  /** Per batch, ms: wall time, packing (array path only), and the kernel's stages. */
  wallMs: number;
  packMs: number;
  stages: Stages;
  /** GPU time of the dispatches (timestamps), ms per batch; null without 'timestamp-query'. */
  kernelMs: number | null;
  rate: number;
  uploadBytes: number;
  /** Bytes uploaded per second of wall time (the batch's upload rate, not the link's peak). */
  uploadGBps: number;
}

const log = (s: string): void => void process.stderr.write(`[bench webgpu-keccak256] ${s}\n`);
const list = (s: string): number[] => s.split(',').map((x) => Number(x.replace(/k$/i, 'e3').replace(/m$/i, 'e6')));
const fmt = (r: number | null): string =>
  r === null ? 'n/a' : r >= 1e9 ? `${(r / 1e9).toFixed(2)} G` : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(1)} k`;

function parse(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      batches: { type: 'string' },
      'min-time-ms': { type: 'string' },
      sweep: { type: 'boolean', default: false },
      'link-gbps': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick!;
  return {
    quick,
    sizes: list(values.sizes ?? (quick ? '64' : '64,32,136')),
    batches: list(values.batches ?? (quick ? '10k' : '100k,1m')),
    minTimeMs: Number(values['min-time-ms'] ?? (quick ? 0 : 2000)),
    sweep: values.sweep!,
    ...(values['link-gbps'] !== undefined && { linkGBps: Number(values['link-gbps']) }),
    ...(values.out !== undefined && { out: values.out }),
  };
}

/** `count` messages of `size` bytes, packed back to back from one pseudo-random buffer. */
function packedBatch(count: number, size: number): PackedMessages {
  const data = new Uint8Array(count * size);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const offsets = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) {
    offsets[2 * i] = i * size;
    offsets[2 * i + 1] = size;
  }
  return { data, offsets, count };
}

/** The same messages as separate arrays (views), as the array API takes them. */
function asArrays(b: PackedMessages): Uint8Array[] {
  return Array.from({ length: b.count }, (_, i) => b.data.subarray(b.offsets[2 * i]!, b.offsets[2 * i]! + b.offsets[2 * i + 1]!));
}

/** A fast result that is wrong is no result: the first, a middle and the last digests against @noble/hashes. */
function verifySample(batch: PackedMessages, out: Uint8Array): void {
  for (const i of [0, batch.count >> 1, batch.count - 1]) {
    const s = batch.offsets[2 * i]!;
    const ref = keccakReference(batch.data.subarray(s, s + batch.offsets[2 * i + 1]!));
    if (Buffer.compare(Buffer.from(ref), Buffer.from(out.subarray(32 * i, 32 * i + 32))) !== 0) throw new Error(`digest ${i} differs from @noble/hashes`);
  }
}

/** Runs `fn` once to warm up and check, then until `minTimeMs` have passed (at least once more). */
async function repeat(minTimeMs: number, fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let reps = 0;
  do {
    await fn();
    reps++;
  } while (performance.now() - t0 < minTimeMs);
  return reps;
}

async function open(keccak: Partial<KeccakTuning> = {}): Promise<WebGpuBackend> {
  return WebGpuBackend.open(
    resolveWebGpuOptions({
      powerPreference: 'high-performance',
      // Dawn rounds timestamps to 100 µs by default, too coarse for one dispatch.
      dawnFlags: ['disable-dawn-features=timestamp_quantization'],
      timestamps: true,
      keccak: { profile: true, ...keccak },
    }),
  );
}

const zeroStages = (): Stages => ({ stagingWait: 0, copyIn: 0, device: 0, copyOut: 0 });

/** One row: a batch through one path, repeated, with the kernel's stage counters read around it. */
async function measure(b: WebGpuBackend, batch: PackedMessages, path: Row['path'], minTimeMs: number): Promise<Row> {
  const kernel = await b.kernel('keccak256');
  const arrays = path === 'arrays' ? asArrays(batch) : undefined;
  const run = async (): Promise<{ out: Uint8Array; packMs: number }> => {
    if (!arrays) return { out: await b.keccak256(batch), packMs: 0 };
    const t = performance.now();
    const packed = packMessages(arrays);
    const packMs = performance.now() - t;
    return { out: await b.keccak256(packed), packMs };
  };
  verifySample(batch, (await run()).out);
  const s0 = structuredClone(kernel.stats);
  let packMs = 0;
  const t0 = performance.now();
  const reps = await repeat(minTimeMs, async () => {
    packMs += (await run()).packMs;
  });
  const wallMs = (performance.now() - t0) / reps;
  const s1 = kernel.stats;
  const stages = zeroStages();
  for (const k of Object.keys(stages) as (keyof Stages)[]) stages[k] = (s1.stageMs[k] - s0.stageMs[k]) / reps;
  const uploadBytes = (s1.uploadBytes - s0.uploadBytes) / reps;
  return {
    path,
    size: batch.offsets[1] ?? 0,
    batch: batch.count,
    reps,
    wallMs,
    packMs: packMs / reps,
    stages,
    kernelMs: s1.kernelNs > s0.kernelNs ? (s1.kernelNs - s0.kernelNs) / 1e6 / reps : null,
    rate: batch.count / (wallMs / 1e3),
    uploadBytes,
    uploadGBps: uploadBytes / (wallMs / 1e3) / 1e9,
  };
}

/**
 * Raw host→device rate through a reused mapped staging buffer (what the kernel uploads through)
 * and through queue.writeBuffer, and device→host readback, GB/s, on 256 MiB (16 MiB with --quick).
 */
async function bandwidth(b: WebGpuBackend, bytes: number, minTimeMs: number): Promise<{ bytes: number; mappedUploadGBps: number; writeBufferUploadGBps: number; readbackGBps: number }> {
  const ctx = await b.context();
  const { device } = ctx;
  const size = Math.min(bytes, ctx.limits.maxBufferSize) & ~3;
  const host = new Uint8Array(size).fill(7);
  const U = GPUBufferUsage;
  const staging = ctx.createBuffer({ size, usage: U.MAP_WRITE | U.COPY_SRC });
  const dst = ctx.createBuffer({ size, usage: U.STORAGE | U.COPY_DST | U.COPY_SRC });
  const rb = ctx.createBuffer({ size, usage: U.MAP_READ | U.COPY_DST });
  const gbps = async (fn: () => Promise<void>): Promise<number> => {
    await fn();
    const t0 = performance.now();
    const reps = await repeat(minTimeMs, fn);
    return (size * reps) / ((performance.now() - t0) / 1e3) / 1e9;
  };
  try {
    const mappedUploadGBps = await gbps(async () => {
      await ctx.map(staging, GPUMapMode.WRITE, size);
      new Uint8Array(staging.getMappedRange(0, size)).set(host);
      staging.unmap();
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(staging, 0, dst, 0, size);
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    });
    const writeBufferUploadGBps = await gbps(async () => {
      device.queue.writeBuffer(dst, 0, host);
      await device.queue.onSubmittedWorkDone();
    });
    const readbackGBps = await gbps(async () => {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(dst, 0, rb, 0, size);
      device.queue.submit([enc.finish()]);
      await ctx.map(rb, GPUMapMode.READ, size);
      rb.unmap();
    });
    return { bytes: size, mappedUploadGBps, writeBufferUploadGBps, readbackGBps };
  } finally {
    for (const buf of [staging, dst, rb]) ctx.release(buf);
  }
}

/**
 * The host↔GPU link's rate per direction, GB/s: from sysfs (the fastest display or 3D controller's
 * current PCIe speed × width, after line encoding), else --link-gbps, else unknown.
 */
function pcieLink(override: number | undefined): { GBps: number; source: string } | null {
  if (override !== undefined) return { GBps: override, source: '--link-gbps' };
  let best: { GBps: number; source: string } | null = null;
  try {
    for (const dev of readdirSync('/sys/bus/pci/devices')) {
      const dir = join('/sys/bus/pci/devices', dev);
      const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
      try {
        if (!/^0x03/.test(read('class'))) continue;
        const gts = parseFloat(read('current_link_speed'));
        const width = Number(read('current_link_width'));
        if (!(gts > 0 && width > 0)) continue;
        // PCIe 1-2 encode 8b/10b, PCIe 3 and later 128b/130b.
        const GBps = (gts * width * (gts <= 5 ? 0.8 : 128 / 130)) / 8;
        if (!best || GBps > best.GBps) best = { GBps, source: `sysfs ${dev}: ${read('current_link_speed')} x${width}` };
      } catch {
        // not a device with a PCIe link
      }
    }
  } catch {
    // no sysfs
  }
  return best;
}

/** cpu-native on the same batch, messages per second (null where it is not ready). */
async function cpuNative(batch: PackedMessages, minTimeMs: number): Promise<{ rate: number; device: string } | null> {
  let backend;
  try {
    backend = await BACKEND_FACTORIES['cpu-native']({});
  } catch (e) {
    log(`cpu-native not measured: ${(e as Error).message}`);
    return null;
  }
  try {
    verifySample(batch, await backend.keccak256(batch));
    const t0 = performance.now();
    const reps = await repeat(minTimeMs, async () => void (await backend.keccak256(batch)));
    return { rate: (batch.count * reps) / ((performance.now() - t0) / 1e3), device: backend.describe().device };
  } finally {
    await backend.close();
  }
}

/** Kernel rate under every lane layout × round style × workgroup size, on 64-byte messages. */
async function sweep(batch: PackedMessages, minTimeMs: number): Promise<{ lanes: LaneLayout; rounds: RoundStyle; workgroupSize: number; kernelRate: number | null; rate: number }[]> {
  const rows = [];
  for (const lanes of ['plain', 'interleaved'] as const) {
    for (const rounds of ['loop', 'unrolled'] as const) {
      for (const workgroupSize of [32, 64, 128, 256]) {
        const b = await open({ lanes, rounds, workgroupSize });
        try {
          if (workgroupSize > (await b.context()).limits.maxComputeInvocationsPerWorkgroup) continue;
          const r = await measure(b, batch, 'packed', minTimeMs);
          rows.push({ lanes, rounds, workgroupSize, kernelRate: r.kernelMs ? batch.count / (r.kernelMs / 1e3) : null, rate: r.rate });
          log(`sweep ${lanes}/${rounds}/${workgroupSize}: kernel ${fmt(rows.at(-1)!.kernelRate)}/s, end to end ${fmt(r.rate)}/s`);
        } finally {
          await b.close();
        }
      }
    }
  }
  return rows;
}

/** Runs the benchmark; returns the JSON's path. */
export async function benchWebGpuKeccak(argv: string[]): Promise<string> {
  const cfg = parse(argv);
  const b = await open();
  const adapter = b.describe();
  const software = adapter.kind === 'software';
  log(`adapter: ${adapter.device} [${adapter.kind}]${software ? ' — software: NOT GPU figures' : ''}`);
  const rows: Row[] = [];
  let probe;
  try {
    const t = performance.now();
    await b.kernel('keccak256');
    log(`pipeline compiled in ${(performance.now() - t).toFixed(0)} ms`);
    for (const size of cfg.sizes) {
      for (const n of cfg.batches) {
        const batch = packedBatch(n, size);
        for (const path of ['packed', 'arrays'] as const) {
          log(`${path}: ${n} × ${size} B`);
          rows.push(await measure(b, batch, path, cfg.minTimeMs));
          const r = rows.at(-1)!;
          log(`  ${fmt(r.rate)}/s end to end (${r.wallMs.toFixed(1)} ms; pack ${r.packMs.toFixed(1)} ms; upload ${r.uploadGBps.toFixed(2)} GB/s)`);
        }
      }
    }
    log('bandwidth probe');
    probe = await bandwidth(b, cfg.quick ? 16 << 20 : 256 << 20, cfg.quick ? 0 : 500);
  } finally {
    await b.close();
  }

  // One chunk in flight: the stages no longer overlap, so they add up to the wall time.
  const main = packedBatch(cfg.quick ? Math.min(...cfg.batches) : KECCAK_TARGETS.batch, KECCAK_TARGETS.size);
  const serial = await open({ inFlight: 1 });
  try {
    log(`packed, one chunk in flight: ${main.count} × ${KECCAK_TARGETS.size} B`);
    rows.push(await measure(serial, main, 'packed-serial', cfg.minTimeMs));
  } finally {
    await serial.close();
  }
  const sweepRows = cfg.sweep ? await sweep(packedBatch(cfg.quick ? 65_536 : 1 << 20, 64), cfg.minTimeMs) : undefined;

  log(`cpu-native: ${main.count} × ${KECCAK_TARGETS.size} B`);
  const cpu = await cpuNative(main, cfg.minTimeMs);
  const gpuMain = rows.find((r) => r.path === 'packed' && r.size === KECCAK_TARGETS.size && r.batch === main.count);
  const ratio = cpu && gpuMain ? gpuMain.rate / cpu.rate : null;
  const link = pcieLink(cfg.linkGBps);
  const targetsApply = !software && main.count === KECCAK_TARGETS.batch;
  const result = {
    bench: 'webgpu-keccak256',
    date: new Date().toISOString(),
    machine: machineInfo([{ ...adapter, status: 'ready' }]),
    adapter,
    software,
    note: software ? 'software adapter: CPU emulation of a GPU, NOT GPU figures' : 'hardware adapter',
    config: cfg,
    link,
    rows,
    bandwidth: probe && {
      ...probe,
      ...(link && { mappedUploadShareOfLink: probe.mappedUploadGBps / link.GBps }),
    },
    cpuNative: cpu && { batch: main.count, size: KECCAK_TARGETS.size, rate: cpu.rate, device: cpu.device },
    ratioToCpuNative: ratio,
    ...(sweepRows && { sweep: sweepRows }),
    targets: {
      applies: targetsApply,
      why: targetsApply ? undefined : software ? 'software adapter' : `batch ${main.count}, not ${KECCAK_TARGETS.batch}`,
      endToEnd: { value: gpuMain?.rate ?? null, target: KECCAK_TARGETS.endToEnd, floor: KECCAK_TARGETS.endToEndFloor },
      ratioToCpuNative: { value: ratio, target: KECCAK_TARGETS.ratioToCpuNative },
    },
  };

  const ms = (v: number) => v.toFixed(1).padStart(8);
  const table = [
    `adapter: ${adapter.device} [${adapter.kind}]${software ? ' — software: NOT GPU figures' : ''}`,
    'path           size  batch      rate/s      wall ms   pack   stgWait  copyIn   device   copyOut  kernel   upload GB/s',
    ...rows.map(
      (r) =>
        `${r.path.padEnd(14)} ${String(r.size).padEnd(5)} ${String(r.batch).padEnd(10)} ${fmt(r.rate).padEnd(10)} ${ms(r.wallMs)} ${ms(r.packMs)} ${ms(r.stages.stagingWait)} ${ms(r.stages.copyIn)} ${ms(r.stages.device)} ${ms(r.stages.copyOut)} ${r.kernelMs === null ? '     n/a' : ms(r.kernelMs)}   ${r.uploadGBps.toFixed(2)}`,
    ),
    probe
      ? `upload ${probe.mappedUploadGBps.toFixed(2)} GB/s mapped staging, ${probe.writeBufferUploadGBps.toFixed(2)} GB/s writeBuffer; readback ${probe.readbackGBps.toFixed(2)} GB/s` +
        (link ? `; link ${link.GBps.toFixed(1)} GB/s (${link.source}): mapped upload at ${((100 * probe.mappedUploadGBps) / link.GBps).toFixed(0)}%` : '; link rate unknown (--link-gbps)')
      : '',
    cpu ? `cpu-native ${fmt(cpu.rate)}/s on ${main.count} × ${KECCAK_TARGETS.size} B; webgpu packed ÷ cpu-native = ${ratio?.toFixed(2) ?? 'n/a'}` : 'cpu-native: not measured',
  ];
  process.stdout.write(table.join('\n') + '\n');
  const kind = /swiftshader/i.test(adapter.device) ? 'swiftshader' : String(adapter.details?.adapterDevice || adapter.kind).replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const file = writeResults(`webgpu-keccak256-${kind}`, result, cfg.out ?? join(packageRoot(), 'bench', 'results'));
  log(`wrote ${file}`);
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchWebGpuKeccak(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench webgpu-keccak256: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
