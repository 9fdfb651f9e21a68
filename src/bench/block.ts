/**
 * The block benchmark behind `evm-accel bench block` and `bench/block.ts`: plain ethereumjs runBlock
 * vs the parallel executor with 1 and 2 workers, side by side in one process, on the biggest mainnet
 * fixture blocks and on synthetic 1,000-transfer and 1,000-ERC-20 blocks. Reports times, speed-ups
 * and re-execution counts; progress on stderr.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Block } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';
import type { BackendName } from '../runtime/types.js';
import { createAccelerator } from '../index.js';
import { packageRoot } from '../package-root.js';
import { acceleratorOptions } from '../cli/accelerator-options.js';
import { fixtureBlock, FixtureBlockHashes } from '../evm/chain.js';
import { executeBlock } from '../evm/executor.js';
import { loadFixture, type PreState } from '../evm/fixture.js';
import { stateManagerFromPreState } from '../evm/pre-state.js';
import type { SenderRecovery } from '../evm/senders.js';
import { runBlockSequential } from '../evm/sequential.js';
import { InMemoryStateSource } from '../evm/state-source.js';
import { independentTokenTransfers, independentTransfers } from '../evm/synthetic.js';
import { WorkerPool } from '../evm/worker-pool.js';

/** The mainnet fixtures with at least 500 transactions. */
export const BIG_BLOCKS = [11814555, 12520364, 13217637, 13287210, 14396881, 15274915, 15538827, 17666333];

interface Case {
  name: string;
  txs: number;
  /** A fresh Block each call, so no run inherits another's cached senders. */
  block: () => Promise<Block>;
  preState: PreState;
  blockHashes: Record<string, string>;
}

export interface ParallelRun {
  workers: number;
  ms: number;
  sendersMs: number;
  speedup: number;
  executions: number;
  reExecutions: number;
  inOrderTxs: number;
  identical: boolean;
}

export interface BlockBenchRow {
  name: string;
  txs: number;
  runBlockMs: number;
  parallel: ParallelRun[];
  /** ms with 1 worker / ms with the most workers: the gain of parallel execution alone, same crypto. */
  parallelGain?: number;
}

export interface BlockBenchResult {
  benchmark: 'block';
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  senderBackend: BackendName | 'auto';
  reps: number;
  rows: BlockBenchRow[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const progress = (s: string) => process.stderr.write(s + '\n');

async function cases(blocks: number[], synthetic: boolean): Promise<Case[]> {
  const out: Case[] = [];
  for (const n of blocks) {
    const fx = await loadFixture(join(packageRoot(), 'test', 'fixtures', 'mainnet', `${n}.json.gz`));
    out.push({ name: `mainnet ${n}`, txs: fx.block.transactions.length, block: () => fixtureBlock(fx), preState: fx.preState, blockHashes: fx.blockHashes });
  }
  if (synthetic) {
    for (const [name, make] of [
      ['1,000 transfers', () => independentTransfers(1000)],
      ['1,000 ERC-20 transfers', () => independentTokenTransfers(1000)],
    ] as const) {
      const s = make();
      const bytes = s.block.serialize();
      const { createBlockFromRLP } = await import('@ethereumjs/block');
      out.push({ name, txs: s.block.transactions.length, block: async () => createBlockFromRLP(bytes, { common: s.block.common }), preState: s.preState, blockHashes: {} });
    }
  }
  return out;
}

/** Runs the benchmark and returns its result (the CLI prints and saves it). */
export async function runBlockBench(opts: { workers: number[]; reps: number; backend: BackendName | undefined; blocks: number[]; synthetic: boolean }): Promise<BlockBenchResult> {
  const loadBefore = loadavg();
  const accelerator = await createAccelerator(acceleratorOptions(opts.backend));
  const pools = new Map(opts.workers.map((w) => [w, WorkerPool.create(w)]));
  const rows: BlockBenchRow[] = [];
  try {
    const all = await cases(opts.blocks, opts.synthetic);
    // Warm-up: load worker modules and JIT both paths on a small block.
    const warm = await cases([930196], false);
    for (const pool of pools.values()) await parallelOnce(warm[0]!, pool, accelerator);
    for (const c of all) {
      progress(`block bench: ${c.name} (${c.txs} txs)`);
      const seqTimes: number[] = [];
      let seqRoot = '';
      for (let r = 0; r < opts.reps; r++) {
        const block = await c.block();
        const sm = await stateManagerFromPreState(c.preState);
        const t0 = performance.now();
        const out = await runBlockSequential(block, sm, new FixtureBlockHashes(c.blockHashes));
        seqTimes.push(performance.now() - t0);
        seqRoot = bytesToHex(out.stateRoot);
      }
      const runBlockMs = median(seqTimes);
      progress(`  runBlock ${runBlockMs.toFixed(0)} ms`);
      const parallel: ParallelRun[] = [];
      for (const [workers, pool] of pools) {
        const runs = [];
        for (let r = 0; r < opts.reps; r++) runs.push(await parallelOnce(c, pool, accelerator));
        const best = runs.sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
        parallel.push({ workers, ...best, speedup: runBlockMs / best.ms, identical: best.stateRoot === seqRoot });
        progress(`  ${workers} worker(s) ${best.ms.toFixed(0)} ms (${(runBlockMs / best.ms).toFixed(2)}x), ${best.reExecutions} re-executions`);
      }
      const one = parallel.find((p) => p.workers === 1);
      const most = parallel[parallel.length - 1]!;
      rows.push({ name: c.name, txs: c.txs, runBlockMs, parallel, parallelGain: one && most !== one ? one.ms / most.ms : undefined });
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
    await accelerator.close();
  }
  const cpu = cpus();
  return {
    benchmark: 'block',
    date: new Date().toISOString(),
    machine: {
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
    },
    senderBackend: opts.backend ?? 'auto',
    reps: opts.reps,
    rows,
  };
}

async function parallelOnce(c: Case, pool: WorkerPool, accelerator: SenderRecovery) {
  const block = await c.block();
  const target = await stateManagerFromPreState(c.preState);
  const source = new InMemoryStateSource({ preState: c.preState, blockHashes: c.blockHashes });
  const t0 = performance.now();
  const r = await executeBlock(block, source, { target, pool, accelerator });
  const ms = performance.now() - t0;
  return { ms, sendersMs: r.timings.sendersMs, executions: r.executions, reExecutions: r.reExecutions, inOrderTxs: r.inOrderTxs, stateRoot: bytesToHex(r.stateRoot) };
}

/** The table printed on stdout. */
export function formatBlockBench(r: BlockBenchResult): string {
  const ws = r.rows[0]?.parallel.map((p) => p.workers) ?? [];
  const head = ['block', 'txs', 'runBlock ms', ...ws.flatMap((w) => [`${w}w ms`, `${w}w speed-up`, `${w}w re-exec`]), 'identical'];
  const lines = r.rows.map((row) => [
    row.name,
    String(row.txs),
    row.runBlockMs.toFixed(0),
    ...row.parallel.flatMap((p) => [p.ms.toFixed(0), `${p.speedup.toFixed(2)}x`, String(p.reExecutions)]),
    row.parallel.every((p) => p.identical) ? 'yes' : 'NO',
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(width[i]!)).join('  ');
  const m = r.machine;
  return [
    `block benchmark — ${m.cpu}, ${m.cores} cores, ${m.node}; senders recovered by ${r.senderBackend}; load average ${m.loadAverageBefore.map((x) => x.toFixed(1)).join('/')}`,
    fmt(head),
    ...lines.map(fmt),
  ].join('\n') + '\n';
}
