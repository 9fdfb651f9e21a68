/**
 * Start-up as a user meets it (issue #12): whole-process wall time of `evm-accel run-block` on a
 * one-transaction block (calibration cache warm and cold, and through `npx`), of `evm-accel info`,
 * and of the peer — the same block through @ethereumjs/vm's runBlock in a fresh process — plus
 * `createAccelerator()` alone, timed inside a fresh process. Every process is started `--runs`
 * times, in rotation so that a load change on a shared machine hits every row alike; medians,
 * ratios to the peer and issue #12's targets are printed, and the JSON goes to bench/results/
 * naming the machine and its backends. Run it in the set-up script's environment (SwiftShader and
 * the FPGA simulation present) to measure what that environment costs:
 *
 *   EVM_ACCEL_WEBGPU_ADAPTER=swiftshader EVM_ACCEL_FPGA=sim node dist/bench/startup.js [--runs 7] [--fixture F] [--out bench/results]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendInfo } from '../src/index.js';
import { machineInfo } from '../src/bench/machine.js';
import { writeResults } from '../src/bench/results-file.js';
import { packageRoot } from '../src/package-root.js';

/** The smallest bundled mainnet block: one plain transfer (Frontier, block 46,147). */
const ONE_TX_BLOCK = 'test/fixtures/mainnet/46147.json.gz';
/** Issue #12's start-up targets, milliseconds. */
const TARGETS = { runBlock: 1500, createAccelerator: 500 };

interface Row {
  name: string;
  command: string;
  /** Wall time of each run, ms (whole process, or what the process reports for in-process rows). */
  ms: number[];
  medianMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs a command to completion; its wall time in ms, or what it printed when `reported`. */
function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, reported: boolean): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: packageRoot(), env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return reported ? Number(JSON.parse(r.stdout.trim().split('\n').pop()!).ms) : ms;
}

/** `--peer FIXTURE`: plain runBlock of the fixture in this process, as a user without evm-accel runs it. */
async function peer(fixture: string): Promise<void> {
  const { loadFixture } = await import('../src/evm/fixture.js');
  const { fixtureBlock, FixtureBlockHashes } = await import('../src/evm/chain.js');
  const { stateManagerFromPreState } = await import('../src/evm/pre-state.js');
  const { runBlockSequential } = await import('../src/evm/sequential.js');
  const fx = await loadFixture(fixture);
  const result = await runBlockSequential(await fixtureBlock(fx), await stateManagerFromPreState(fx.preState), new FixtureBlockHashes(fx.blockHashes));
  if (result.gasUsed.toString() !== BigInt(fx.block.gasUsed).toString()) throw new Error(`runBlock used ${result.gasUsed} gas, the block says ${fx.block.gasUsed}`);
}

/** `--create`: times createAccelerator() in this fresh process; prints `{ ms, backends }` (after ready()). */
async function create(): Promise<void> {
  const { createAccelerator } = await import('../src/index.js');
  const t0 = performance.now();
  const accel = await createAccelerator();
  const ms = performance.now() - t0;
  const backends = await accel.ready();
  await accel.close();
  process.stdout.write(JSON.stringify({ ms, backends }) + '\n');
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '7' },
      fixture: { type: 'string', default: ONE_TX_BLOCK },
      out: { type: 'string', default: 'bench/results' },
      peer: { type: 'string' },
      create: { type: 'boolean', default: false },
    },
  });
  if (values.peer) return peer(values.peer);
  if (values.create) return create();

  const runs = Number(values.runs);
  const node = process.execPath;
  const cli = join(packageRoot(), 'dist/src/cli/main.js');
  const self = fileURLToPath(import.meta.url);
  const fixture = values.fixture;
  const coldCache = () => ({ ...process.env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'evm-accel-cold-')) });
  const specs: { name: string; command: string; run: () => number }[] = [
    { name: 'run-block', command: `evm-accel run-block ${fixture}`, run: () => timeProcess(node, [cli, 'run-block', fixture], process.env, false) },
    {
      name: 'run-block, cold calibration cache',
      command: `XDG_CACHE_HOME=<empty> evm-accel run-block ${fixture}`,
      run: () => {
        const env = coldCache();
        try {
          return timeProcess(node, [cli, 'run-block', fixture], env, false);
        } finally {
          rmSync(env.XDG_CACHE_HOME, { recursive: true, force: true });
        }
      },
    },
    { name: 'npx run-block', command: `npx evm-accel run-block ${fixture}`, run: () => timeProcess('npx', ['--no-install', 'evm-accel', 'run-block', fixture], process.env, false) },
    { name: 'info', command: 'evm-accel info', run: () => timeProcess(node, [cli, 'info'], process.env, false) },
    { name: 'peer: runBlock', command: `@ethereumjs/vm runBlock of ${fixture} in a fresh process`, run: () => timeProcess(node, [self, '--peer', fixture], process.env, false) },
    { name: 'createAccelerator()', command: 'await createAccelerator() in a fresh process', run: () => timeProcess(node, [self, '--create'], process.env, true) },
    {
      name: 'createAccelerator(), cold calibration cache',
      command: 'await createAccelerator() in a fresh process, empty calibration cache',
      run: () => {
        const env = coldCache();
        try {
          return timeProcess(node, [self, '--create'], env, true);
        } finally {
          rmSync(env.XDG_CACHE_HOME, { recursive: true, force: true });
        }
      },
    },
  ];
  // One untimed run of each: fills the calibration cache and the OS's file cache.
  for (const s of specs) s.run();
  const ms = specs.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    specs.forEach((s, i) => ms[i]!.push(s.run()));
    process.stderr.write(`run ${r + 1}/${runs}\n`);
  }
  const rows: Row[] = specs.map((s, i) => ({ name: s.name, command: s.command, ms: ms[i]!, medianMs: median(ms[i]!) }));

  const created = spawnSync(node, [self, '--create'], { cwd: packageRoot(), encoding: 'utf8' });
  const backends = (JSON.parse(created.stdout.trim()) as { backends: BackendInfo[] }).backends;
  const at = (name: string) => rows.find((r) => r.name === name)!.medianMs;
  const peerMs = at('peer: runBlock');
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(backends),
    environment: { EVM_ACCEL_WEBGPU_ADAPTER: process.env.EVM_ACCEL_WEBGPU_ADAPTER ?? null, EVM_ACCEL_FPGA: process.env.EVM_ACCEL_FPGA ?? null },
    fixture,
    runs,
    rows: rows.map((r) => ({ ...r, overPeer: r.name.startsWith('createAccelerator') ? null : r.medianMs / peerMs })),
    targets: {
      runBlockMs: TARGETS.runBlock,
      runBlockMet: at('run-block') <= TARGETS.runBlock,
      createAcceleratorMs: TARGETS.createAccelerator,
      createAcceleratorMet: at('createAccelerator()') <= TARGETS.createAccelerator,
    },
  };

  const out: string[] = [`start-up, ${result.machine.cpu}, ${result.machine.cores} cores, ${runs} runs each (medians; whole process unless in-process)`];
  out.push(`backends: ${backends.map((b) => `${b.name} ${b.status}${b.status === 'ready' ? ` (${b.kind})` : ''}`).join(', ')}`);
  for (const r of result.rows) {
    const ratio = r.overPeer === null ? '' : `  ${r.overPeer.toFixed(2)}x runBlock`;
    out.push(`  ${r.name.padEnd(44)} ${r.medianMs.toFixed(0).padStart(6)} ms  (${Math.min(...r.ms).toFixed(0)}–${Math.max(...r.ms).toFixed(0)})${ratio}`);
  }
  const met = (ok: boolean) => (ok ? 'met    ' : 'NOT met');
  out.push(`${met(result.targets.runBlockMet)}  run-block of a one-transaction block ≤ ${TARGETS.runBlock} ms: ${at('run-block').toFixed(0)} ms`);
  out.push(`${met(result.targets.createAcceleratorMet)}  createAccelerator() ≤ ${TARGETS.createAccelerator} ms (calibration cache warm): ${at('createAccelerator()').toFixed(0)} ms`);
  process.stdout.write(out.join('\n') + '\n');
  process.stderr.write(`wrote ${writeResults('startup', result, values.out)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench startup: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
