/**
 * FPGA Keccak-256 benchmark: the RTL of hdl/ under Verilator, through the real C bridge.
 *
 * What it measures, said honestly: hashes per *simulated* clock (a property of the RTL and the
 * framing, exact), and the wall-clock rate of the simulation (a property of this CPU running
 * Verilator — not a hardware figure). From hashes per clock it projects a board: the core bound
 * at a given clock, the PCIe bound from the bytes the framing puts on the link per hash, and
 * says which binds. @noble/hashes runs the same batches side by side for scale.
 *
 * Run from the repository root: `npm run build && node dist/bench/fpga-keccak256.js [--quick]`;
 * progress on stderr, table on stdout, JSON into bench/results/fpga-keccak256-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuJsBackend } from '../src/backends/cpu/js-backend.js';
import { openFpga } from '../src/backends/fpga/fpga-backend.js';
import { packMessages } from '../src/runtime/packing.js';

/** PCIe Gen3 x16 payload rate per direction, bytes/s (≈ 12 GB/s after protocol overhead). */
const PCIE_GEN3_X16 = 12e9;
/** Board clock the projection assumes for both cores, Hz. */
const BOARD_CLOCK = 250e6;
const RATE = 136;
const BLOCK_RECORD = 144;
const DIGEST_RECORD = 40;

interface Workload {
  name: string;
  msgs: Uint8Array[];
}

export interface FpgaBenchRow {
  workload: string;
  core: string;
  messages: number;
  blocks: number;
  simCycles: number;
  hashesPerClock: number;
  blocksPerClock: number;
  simWallHashesPerSec: number;
  nobleHashesPerSec: number;
  projection: {
    clockMHz: number;
    coreBoundHashesPerSec: number;
    linkBytesInPerHash: number;
    linkBytesOutPerHash: number;
    linkBoundHashesPerSec: number;
    binds: 'core' | 'link';
    projectedHashesPerSec: number;
  };
}

function workloads(quick: boolean): Workload[] {
  let s = 42;
  const byte = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
  const make = (n: number, len: () => number) => Array.from({ length: n }, () => Uint8Array.from({ length: len() }, byte));
  const k = quick ? 1 : 4;
  return [
    { name: '64 B (storage slots, 1 block)', msgs: make(5000 * k, () => 64) },
    { name: '135 B (largest 1-block)', msgs: make(5000 * k, () => 135) },
    { name: '0..1000 B mixed (txs)', msgs: make(1000 * k, () => ((byte() << 8) | byte()) % 1001) },
  ];
}

function blocksOf(msgs: Uint8Array[]): number {
  return msgs.reduce((a, m) => a + Math.floor(m.length / RATE) + 1, 0);
}

async function nobleRate(msgs: Uint8Array[]): Promise<number> {
  const cpu = new CpuJsBackend();
  const packed = packMessages(msgs);
  await cpu.keccak256(packMessages(msgs.slice(0, 500))); // JIT warm-up
  const t0 = performance.now();
  await cpu.keccak256(packed);
  return msgs.length / ((performance.now() - t0) / 1000);
}

/** Runs every workload on both cores; returns the rows (also what the CLI prints). */
export async function runFpgaKeccakBench(opts: { quick?: boolean; log?: (s: string) => void } = {}): Promise<{ rows: FpgaBenchRow[]; device: Record<string, string> }> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const rows: FpgaBenchRow[] = [];
  const device: Record<string, string> = {};
  for (const core of ['pipelined', 'iterative'] as const) {
    const fpga = (await openFpga({ fpga: `sim:core=${core}` })) as Awaited<ReturnType<typeof openFpga>> & { cycles(): number };
    device[core] = fpga.describe().device;
    for (const w of workloads(opts.quick ?? false)) {
      // The iterative core takes ~25 clocks a block: a tenth of the work says the same.
      const msgs = core === 'iterative' ? w.msgs.slice(0, Math.ceil(w.msgs.length / 10)) : w.msgs;
      log(`fpga ${core}: ${w.name}, ${msgs.length} messages…`);
      const packed = packMessages(msgs);
      const c0 = fpga.cycles();
      const t0 = performance.now();
      await fpga.keccak256(packed);
      const seconds = (performance.now() - t0) / 1000;
      const cycles = fpga.cycles() - c0;
      const blocks = blocksOf(msgs);
      const hpc = msgs.length / cycles;
      const bytesIn = (blocks / msgs.length) * BLOCK_RECORD;
      const bytesOut = DIGEST_RECORD;
      const coreBound = hpc * BOARD_CLOCK;
      const linkBound = PCIE_GEN3_X16 / Math.max(bytesIn, bytesOut);
      rows.push({
        workload: w.name,
        core,
        messages: msgs.length,
        blocks,
        simCycles: cycles,
        hashesPerClock: hpc,
        blocksPerClock: blocks / cycles,
        simWallHashesPerSec: msgs.length / seconds,
        nobleHashesPerSec: await nobleRate(msgs),
        projection: {
          clockMHz: BOARD_CLOCK / 1e6,
          coreBoundHashesPerSec: coreBound,
          linkBytesInPerHash: bytesIn,
          linkBytesOutPerHash: bytesOut,
          linkBoundHashesPerSec: linkBound,
          binds: coreBound <= linkBound ? 'core' : 'link',
          projectedHashesPerSec: Math.min(coreBound, linkBound),
        },
      });
    }
    await fpga.close();
  }
  return { rows, device };
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(3);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { rows, device } = await runFpgaKeccakBench({ quick });
  const table = rows.map((r) => ({
    workload: r.workload,
    core: r.core,
    'hash/clk': r.hashesPerClock.toFixed(3),
    'sim wall hash/s': fmt(r.simWallHashesPerSec),
    'noble hash/s': fmt(r.nobleHashesPerSec),
    'sim / noble': (r.simWallHashesPerSec / r.nobleHashesPerSec).toFixed(3),
    [`core @${r.projection.clockMHz} MHz`]: fmt(r.projection.coreBoundHashesPerSec) + '/s',
    'PCIe3 x16 bound': fmt(r.projection.linkBoundHashesPerSec) + '/s',
    binds: r.projection.binds,
  }));
  console.table(table);
  const result = {
    benchmark: 'fpga-keccak256',
    date: new Date().toISOString(),
    machine: {
      hostname: os.hostname(),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.availableParallelism(),
      node: process.version,
    },
    device,
    notes: [
      'hashesPerClock is exact for the RTL in simulation; simWallHashesPerSec is Verilator on this CPU, not a hardware figure',
      `projection: ${BOARD_CLOCK / 1e6} MHz board clock; link ${PCIE_GEN3_X16 / 1e9} GB/s per direction (PCIe Gen3 x16), framing ${BLOCK_RECORD} B per block in, ${DIGEST_RECORD} B per digest out`,
    ],
    rows,
  };
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `fpga-keccak256-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stderr.write(`wrote ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
