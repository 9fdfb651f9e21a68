/**
 * The block benchmark behind `evm-accel bench block` and `bench/block.ts`: plain ethereumjs runBlock
 * vs the executor — Block-STM on 1, 2, 4, 8, 16 workers (as many as the machine has cores) and
 * `auto` (the path the cost model picks, what users get) — side by side in one process, on the
 * biggest mainnet fixture blocks, on built Prague and Osaka blocks, and on synthetic
 * 1,000-transfer, 1,000-ERC-20 and 1,000-transaction Prague (200 EIP-7702 authorizations) blocks.
 * Reports times, speed-ups over runBlock, the parallel gain (best worker count ÷ 1 worker, same
 * crypto), Mgas/s, the main thread's busy time per transaction and re-executions; progress on
 * stderr.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Block } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';
import type { BackendName } from '../runtime/types.js';
import { createAccelerator } from '../index.js';
import { packageRoot } from '../package-root.js';
import { acceleratorOptions } from '../cli/accelerator-options.js';
import { fixtureBlock, FixtureBlockHashes } from '../evm/chain.js';
import type { ExecutionPath } from '../evm/cost-model.js';
import { executeBlock } from '../evm/executor.js';
import type { MainThreadTimings } from '../evm/main-thread-time.js';
import { loadFixture, type PreState } from '../evm/fixture.js';
import { stateManagerFromPreState } from '../evm/pre-state.js';
import type { SenderRecovery } from '../evm/senders.js';
import { runBlockSequential } from '../evm/sequential.js';
import { InMemoryStateSource } from '../evm/state-source.js';
import { delegationBlock, independentTokenTransfers, independentTransfers } from '../evm/synthetic.js';
import { WorkerPool } from '../evm/worker-pool.js';

/** The mainnet fixtures with at least 500 transactions. */
export const BIG_BLOCKS = [11814555, 12520364, 13217637, 13287210, 14396881, 15274915, 15538827, 17666333];

/** Worker counts benchmarked by default: 1, 2, 4, 8, 16, as many as the machine has cores (at least 1 and 2). */
export const DEFAULT_BENCH_WORKERS: readonly number[] = [1, 2, 4, 8, 16].filter((w) => w <= Math.max(2, availableParallelism()));

/** Built (not mainnet) blocks of the forks after Cancun: test/fixtures/built. */
export const BUILT_BENCH_BLOCKS = ['22431084-prague-fork', '23935694-osaka-fork'];

interface Case {
  name: string;
  txs: number;
  /** A fresh Block each call, so no run inherits another's cached senders. */
  block: () => Promise<Block>;
  preState: PreState;
  blockHashes: Record<string, string>;
}

export interface ParallelRun {
  /** Worker count, or 0 for the `auto` run (the path the cost model picked: see `path`). */
  workers: number;
  path: ExecutionPath;
  /** Millions of gas per second. */
  mgasPerS: number;
  ms: number;
  sendersMs: number;
  /** Main-thread busy time per transaction during execution, and its split (see MainThreadTimings). */
  mainMsPerTx: number;
  main: MainThreadTimings;
  speedup: number;
  executions: number;
  reExecutions: number;
  inOrderTxs: number;
  identical: boolean;
}

export interface BlockBenchRow {
  name: string;
  txs: number;
  gasUsed: number;
  runBlockMs: number;
  /** Block-STM runs by worker count, then the `auto` run. */
  parallel: ParallelRun[];
  /** ms with 1 worker / ms with the best worker count: the gain of parallel execution alone, same crypto. */
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
    // Prague and Osaka: blocks built from fixed keys (no mainnet fixture covers them), labelled as such.
    for (const name of BUILT_BENCH_BLOCKS) {
      const fx = await loadFixture(join(packageRoot(), 'test', 'fixtures', 'built', `${name}.json.gz`));
      out.push({ name: `built ${name} (${fx.hardfork})`, txs: fx.block.transactions.length, block: () => fixtureBlock(fx), preState: fx.preState, blockHashes: fx.blockHashes });
    }
    for (const [name, make] of [
      ['1,000 transfers', () => independentTransfers(1000)],
      ['1,000 ERC-20 transfers', () => independentTokenTransfers(1000)],
      ['1,000 Prague txs, 200 EIP-7702 authorizations', () => delegationBlock(1000, 200)],
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
    for (const pool of pools.values()) await parallelOnce(warm[0]!, pool, accelerator, 'parallel');
    const autoPool = WorkerPool.shared();
    await parallelOnce(warm[0]!, autoPool, accelerator, 'parallel');
    for (const c of all) {
      progress(`block bench: ${c.name} (${c.txs} txs)`);
      const configs: [number, WorkerPool, 'parallel' | 'auto'][] = [...[...pools].map(([w, p]) => [w, p, 'parallel'] as [number, WorkerPool, 'parallel']), [0, autoPool, 'auto']];
      const seqTimes: number[] = [];
      const runs: Awaited<ReturnType<typeof parallelOnce>>[][] = configs.map(() => []);
      let seqRoot = '';
      // From the execution: synthetic blocks' headers do not state their gas.
      let gasUsed = 0;
      // Repetitions interleave the paths, so that a shared machine's slow spell falls on all of them alike.
      for (let r = 0; r < opts.reps; r++) {
        const block = await c.block();
        const sm = await stateManagerFromPreState(c.preState);
        const t0 = performance.now();
        const out = await runBlockSequential(block, sm, new FixtureBlockHashes(c.blockHashes));
        seqTimes.push(performance.now() - t0);
        seqRoot = bytesToHex(out.stateRoot);
        gasUsed = Number(out.gasUsed);
        for (const [i, [, pool, mode]] of configs.entries()) runs[i]!.push(await parallelOnce(c, pool, accelerator, mode));
      }
      const runBlockMs = median(seqTimes);
      progress(`  runBlock ${runBlockMs.toFixed(0)} ms`);
      const parallel: ParallelRun[] = [];
      for (const [i, [workers]] of configs.entries()) {
        const best = runs[i]!.sort((a, b) => a.ms - b.ms)[Math.floor(runs[i]!.length / 2)]!;
        parallel.push({ workers, ...best, mgasPerS: gasUsed / best.ms / 1000, speedup: runBlockMs / best.ms, identical: best.stateRoot === seqRoot });
        const work = Object.entries(best.main.work).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
        const label = workers ? `${workers} worker(s)` : `auto (${best.path})`;
        progress(`  ${label} ${best.ms.toFixed(0)} ms (${(runBlockMs / best.ms).toFixed(2)}x), ${best.reExecutions} re-executions; main thread ${best.mainMsPerTx.toFixed(3)} ms/tx (${work}, other ${best.main.otherMs.toFixed(0)})`);
      }
      const byWorkers = parallel.filter((p) => p.workers > 0);
      const one = byWorkers.find((p) => p.workers === 1);
      const best = byWorkers.reduce((a, b) => (b.ms < a.ms ? b : a));
      rows.push({ name: c.name, txs: c.txs, gasUsed, runBlockMs, parallel, parallelGain: one && byWorkers.length > 1 ? one.ms / best.ms : undefined });
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

async function parallelOnce(c: Case, pool: WorkerPool, accelerator: SenderRecovery, mode: 'parallel' | 'auto') {
  const block = await c.block();
  const target = await stateManagerFromPreState(c.preState);
  const source = new InMemoryStateSource({ preState: c.preState, blockHashes: c.blockHashes });
  const t0 = performance.now();
  const r = await executeBlock(block, source, { target, pool, accelerator, mode });
  const ms = performance.now() - t0;
  return { ms, path: r.path, sendersMs: r.timings.sendersMs, mainMsPerTx: r.timings.main.perTxMs, main: r.timings.main, executions: r.executions, reExecutions: r.reExecutions, inOrderTxs: r.inOrderTxs, stateRoot: bytesToHex(r.stateRoot) };
}

/** The table printed on stdout. */
export function formatBlockBench(r: BlockBenchResult): string {
  const ws = r.rows[0]?.parallel.map((p) => p.workers) ?? [];
  const name = (w: number) => (w ? `${w}w` : 'auto');
  const head = [
    'block',
    'txs',
    'runBlock ms',
    ...ws.flatMap((w) => [`${name(w)} ms`, `${name(w)} ×runBlock`, `${name(w)} Mgas/s`, `${name(w)} main ms/tx`, `${name(w)} re-exec`]),
    'parallel gain',
    'identical',
  ];
  const lines = r.rows.map((row) => [
    row.name,
    String(row.txs),
    row.runBlockMs.toFixed(0),
    ...row.parallel.flatMap((p) => [
      p.workers ? p.ms.toFixed(0) : `${p.ms.toFixed(0)} (${p.path})`,
      `${p.speedup.toFixed(2)}x`,
      p.mgasPerS.toFixed(1),
      p.mainMsPerTx.toFixed(3),
      String(p.reExecutions),
    ]),
    row.parallelGain === undefined ? '-' : `${row.parallelGain.toFixed(2)}x`,
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
