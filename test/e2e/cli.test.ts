import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

/** Runs the built CLI as a user would; the setup script builds dist/ before the tests. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { maxBuffer: 64 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

describe('evm-accel CLI', () => {
  it('is built', () => expect(existsSync(CLI)).toBe(true));

  it('info --json lists every backend, with a reason for each one not ready', async () => {
    const { stdout, code } = await cli('info', '--json');
    expect(code).toBe(0);
    const { backends } = JSON.parse(stdout) as { backends: { name: string; status: string; reason?: string }[] };
    expect(backends.map((b) => b.name).sort()).toEqual(['cpu-js', 'cpu-native', 'fpga', 'webgpu']);
    for (const b of backends) if (b.status !== 'ready') expect(b.reason).toBeTruthy();
    expect(backends.find((b) => b.name === 'cpu-js')!.status).toBe('ready');
  });

  it('bench keccak --quick --json measures the backends next to the peers and writes results', async () => {
    const { stdout, stderr, code } = await cli('bench', 'keccak', '--quick', '--json', '--backend', 'cpu-js', '--out', mkdtempSync(join(tmpdir(), 'bench-')));
    expect(code).toBe(0);
    expect(stderr).toMatch(/bench keccak \[/);
    const { keccak } = JSON.parse(stdout) as { keccak: { file: string; machine: { cpu: string }; points: { contender: string }[]; ratios: unknown[] } };
    expect(keccak.machine.cpu).toBeTruthy();
    const contenders = new Set(keccak.points.map((p) => p.contender));
    expect([...contenders].sort()).toEqual(['@noble/hashes', 'evm-accel cpu-js', 'hash-wasm']);
    expect(keccak.ratios.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(keccak.file, 'utf8'))).toMatchObject({ kind: 'keccak' });
  });

  it('an unknown command or backend fails with a message', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    const bad = await cli('bench', 'keccak', '--backend', 'tpu');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--backend must be one of/);
  });
});
