/**
 * The executor's main-thread busy time per transaction (issue #12: "cut at least 5× on 2 cores"),
 * measured from outside — Node's event-loop utilisation over `executeBlock` — so that the same
 * figure can be taken of another build that has no timings of its own (`--compare DIR`: a checkout
 * of an earlier revision, built with `npx tsc` and its native library made). Blocks: 1,000
 * independent plain transfers and 1,000 independent ERC-20 transfers, one worker, into a target
 * `MerkleStateManager` whose trie hashes with @noble/hashes (ethereumjs's default) and one whose
 * Common carries the plugin's native Keccak (`acceleratedCrypto`, as the README's node set-up
 * does). Each (build, target) runs in its own process; medians of `--reps` after one warm-up.
 *
 *   node dist/bench/main-thread-busy.js [--compare /path/to/old-checkout] [--reps 5] [--out bench/results]
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from '../src/bench/machine.js';
import { writeResults } from '../src/bench/results-file.js';
import { packageRoot } from '../src/package-root.js';

type TargetKind = 'noble' | 'native';
const BLOCKS = ['transfers', 'erc20'] as const;

interface Measure {
  wallMs: number;
  mainBusyMsPerTx: number;
}
type ChildResult = Record<(typeof BLOCKS)[number], Measure>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** In a child process: measures one build (its root) into one kind of target; prints JSON. */
async function child(root: string, target: TargetKind, reps: number): Promise<void> {
  // Another build's modules, loaded by path: their types are that build's, so they are not checked here.
  const imp = (p: string): Promise<any> => import(`${root}/dist/src/${p}`);
  const dep = (p: string): Promise<any> => import(`${root}/node_modules/${p}`);
  const { independentTransfers, independentTokenTransfers } = await imp('evm/synthetic.js');
  const { loadPreState } = await imp('evm/pre-state.js');
  const { InMemoryStateSource } = await imp('evm/state-source.js');
  const { executeBlock } = await imp('evm/executor.js');
  const { WorkerPool } = await imp('evm/worker-pool.js');
  const { createAccelerator } = await imp('index.js');
  const { acceleratedCrypto } = await imp('plugin/crypto-hooks.js');
  const { MerkleStateManager } = await dep('@ethereumjs/statemanager/dist/esm/index.js');
  const { Common, Mainnet } = await dep('@ethereumjs/common/dist/esm/index.js');
  const accel = await createAccelerator();
  const pool = WorkerPool.create(1);
  const common = target === 'native' ? new Common({ chain: Mainnet, customCrypto: acceleratedCrypto(accel) }) : undefined;
  const makers = { transfers: independentTransfers, erc20: independentTokenTransfers };
  const out = {} as ChildResult;
  for (const name of BLOCKS) {
    const rows: Measure[] = [];
    for (let rep = 0; rep <= reps; rep++) {
      const s = makers[name](1000);
      const sm = new MerkleStateManager(common ? { common } : {});
      await loadPreState(sm, s.preState);
      const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
      const e0 = performance.eventLoopUtilization();
      const t0 = performance.now();
      await executeBlock(s.block, source, { target: sm, pool, accelerator: accel, mode: 'parallel' });
      const wallMs = performance.now() - t0;
      // The first run warms the worker up; it is not counted.
      if (rep > 0) rows.push({ wallMs, mainBusyMsPerTx: performance.eventLoopUtilization(e0).active / 1000 });
    }
    out[name] = { wallMs: median(rows.map((r) => r.wallMs)), mainBusyMsPerTx: median(rows.map((r) => r.mainBusyMsPerTx)) };
  }
  await pool.close();
  await accel.close();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      compare: { type: 'string' },
      reps: { type: 'string', default: '5' },
      out: { type: 'string', default: 'bench/results' },
      child: { type: 'string' },
      target: { type: 'string', default: 'noble' },
    },
  });
  const reps = Number(values.reps);
  if (values.child) return child(values.child, values.target as TargetKind, reps);
  const builds = [{ name: 'this build', root: packageRoot() }, ...(values.compare ? [{ name: 'compared build', root: resolve(values.compare) }] : [])];
  const rows: { build: string; root: string; target: TargetKind; result: ChildResult }[] = [];
  for (const target of ['noble', 'native'] as const) {
    for (const b of builds) {
      process.stderr.write(`main-thread busy: ${b.name} (${b.root}), ${target} Keccak in the target's trie\n`);
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', b.root, '--target', target, '--reps', String(reps)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`child for ${b.root} failed: ${r.stderr}`);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
      rows.push({ build: b.name, root: b.root, target, result });
      for (const block of BLOCKS) {
        const m = result[block];
        process.stdout.write(`${b.name.padEnd(15)} ${target.padEnd(7)} ${block.padEnd(10)} main thread ${m.mainBusyMsPerTx.toFixed(3)} ms/tx, block ${m.wallMs.toFixed(0)} ms\n`);
      }
    }
    if (builds.length === 2) {
      const [mine, other] = rows.slice(-2);
      for (const block of BLOCKS) {
        const cut = other!.result[block].mainBusyMsPerTx / mine!.result[block].mainBusyMsPerTx;
        process.stdout.write(`  ${target} ${block}: main-thread time cut ${cut.toFixed(2)}× (issue #12's target: 5×)\n`);
      }
    }
  }
  const file = writeResults('main-thread-busy', { date: new Date().toISOString(), machine: machineInfo([]), reps, rows }, values.out);
  process.stderr.write(`wrote ${file}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench main-thread-busy: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
