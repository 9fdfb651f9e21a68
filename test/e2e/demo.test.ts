import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { DEMO_BLOCKS, DEMO_BUILT_BLOCKS } from '../../src/cli/commands/demo.js';

const run = promisify(execFile);

// The main job as a user runs it (the built CLI, no arguments but --json), on whatever backends
// this machine has: every bundled block must be verified against its header and runBlock.
it('the demo blocks ship in the npm package', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
  for (const n of DEMO_BLOCKS) expect(pkg.files).toContain(`test/fixtures/mainnet/${n}.json.gz`);
});

it('evm-accel demo --json verifies every bundled block', async () => {
  const cli = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
  const { stdout, stderr } = await run('node', [cli, 'demo', '--json'], { maxBuffer: 64 << 20 });
  const out = JSON.parse(stdout) as {
    verified: boolean;
    blocks: { number: number; source: string; match: boolean; sequential: { identical: boolean } }[];
    totals: { txs: number; speedup: number };
    kernels: { backend: string; keccak64PerSecond: number }[];
    backends: { name: string; status: string }[];
  };
  expect(out.blocks.map((b) => b.number)).toEqual([...DEMO_BLOCKS, ...DEMO_BUILT_BLOCKS.map((n) => parseInt(n, 10))]);
  expect(out.blocks.map((b) => b.source)).toEqual([...DEMO_BLOCKS.map(() => 'mainnet'), ...DEMO_BUILT_BLOCKS.map(() => 'built')]);
  for (const b of out.blocks) {
    expect(b.match, `block ${b.number}`).toBe(true);
    expect(b.sequential.identical, `block ${b.number} vs runBlock`).toBe(true);
  }
  expect(out.verified).toBe(true);
  expect(out.totals.txs).toBeGreaterThan(3000);
  expect(out.totals.speedup).toBeGreaterThan(0);
  expect(out.kernels.map((k) => k.backend)).toEqual(out.backends.filter((b) => b.status === 'ready').map((b) => b.name));
  expect(stderr).toMatch(/demo \[#+\] 9\/9/);
});
