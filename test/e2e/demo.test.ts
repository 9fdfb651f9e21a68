import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { DEMO_BLOCKS, DEMO_BUILT_BLOCKS } from '../../src/cli/commands/demo.js';

const run = promisify(execFile);

// The main job as a user runs it (the built CLI, no arguments but --json), on whatever backends
// this machine has. What must hold whatever the load: every bundled block verified against its
// header and against runBlock, and figures for every ready backend (their order depends on rates
// measured on a busy machine, so it is not checked).
it('the demo blocks ship in the npm package', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
  for (const n of DEMO_BLOCKS) expect(pkg.files).toContain(`test/fixtures/mainnet/${n}.json.gz`);
  for (const name of DEMO_BUILT_BLOCKS) expect(pkg.files).toContain(`test/fixtures/built/${name}.json.gz`);
});

it('evm-accel demo --json verifies every bundled block and measures every ready backend', async () => {
  const cli = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
  const { stdout, stderr } = await run('node', [cli, 'demo', '--json'], { maxBuffer: 64 << 20 });
  const out = JSON.parse(stdout) as {
    verified: boolean;
    blocks: { number: number; source: string; match: boolean; workers: number; sequential: { identical: boolean } }[];
    totals: { txs: number; speedup: number };
    kernels: { backend: string; keccak64PerSecond: number; ecrecoverPerSecond?: number }[];
    backends: { name: string; status: string; kernels: string[] }[];
  };
  expect(out.blocks.map((b) => b.number)).toEqual([...DEMO_BLOCKS, ...DEMO_BUILT_BLOCKS.map((n) => parseInt(n, 10))]);
  expect(out.blocks.map((b) => b.source)).toEqual([...DEMO_BLOCKS.map(() => 'mainnet'), ...DEMO_BUILT_BLOCKS.map(() => 'built')]);
  for (const b of out.blocks) {
    expect(b.match, `block ${b.number}`).toBe(true);
    expect(b.sequential.identical, `block ${b.number} vs runBlock`).toBe(true);
  }
  expect(out.verified).toBe(true);
  // The cost model starts the pool for the big blocks of a fresh process (it once ran every block inline).
  expect(out.blocks.filter((b) => b.workers > 0).length).toBeGreaterThan(0);
  expect(out.totals.txs).toBeGreaterThan(3000);
  expect(out.totals.speedup).toBeGreaterThan(0);
  const ready = out.backends.filter((b) => b.status === 'ready');
  expect(out.kernels.map((k) => k.backend).sort()).toEqual(ready.map((b) => b.name).sort());
  for (const b of ready) {
    const k = out.kernels.find((x) => x.backend === b.name)!;
    expect(k.keccak64PerSecond, `${b.name} keccak`).toBeGreaterThan(0);
    if (b.kernels.includes('ecrecover')) expect(k.ecrecoverPerSecond, `${b.name} ecrecover`).toBeGreaterThan(0);
  }
  expect(stderr).toMatch(/demo \[#+\] 9\/9/);
});
