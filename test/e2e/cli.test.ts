import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_USAGE } from '../../src/cli/usage.js';

const run = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs the built CLI as a user would; the setup script builds dist/ before the tests. */
async function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { maxBuffer: 64 << 20, ...opts });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

describe('evm-accel CLI', () => {
  it('is built', () => expect(existsSync(CLI)).toBe(true));

  it('--version prints the package version', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `evm-accel ${VERSION}\n` });
  });

  it('help, help <command> and <command> --help print usage on stdout and exit 0', async () => {
    const all = await cli(['help']);
    expect(all.code).toBe(0);
    for (const name of Object.keys(COMMAND_USAGE)) expect(all.stdout).toContain(`  ${name} `);
    for (const [name, { usage }] of Object.entries(COMMAND_USAGE)) {
      expect(await cli(['help', name]), `help ${name}`).toMatchObject({ code: 0, stdout: usage });
      expect(await cli([name, '--help']), `${name} --help`).toMatchObject({ code: 0, stdout: usage });
    }
  });

  it('every usage error exits 2 with the message and the usage on stderr', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^usage: evm-accel <command>/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['help', 'frobnicate'], /no command 'frobnicate'/],
      [['info', '--frob'], /info: Unknown option '--frob'/],
      [['demo', '--blocks', '9'], /--blocks must be an integer in 1\.\.6, got '9'/],
      [['demo', '--workers', '0'], /--workers must be an integer in 1\.\.256, got '0'/],
      [['demo', '--workers', '1.5'], /--workers must be an integer/],
      [['demo', '--json', 'extra'], /Unexpected argument 'extra'/],
      [['run-block'], /which fixture or folder\?/],
      [['run-block', 'a.json.gz', 'b.json.gz'], /one fixture or folder, got 2/],
      [['run-block', 'x.json.gz', '--workers', 'many'], /--workers must be an integer/],
      [['bench', 'sha256'], /unknown benchmark 'sha256'/],
      [['bench', 'keccak', '--backend', 'tpu'], /--backend must be one of webgpu, fpga, cpu-native, cpu-js; got 'tpu'/],
      [['bench', '--max-batch', '0'], /--max-batch must be an integer/],
      [['bench', 'block', '--workers', '1,x'], /--workers must be an integer/],
      [['bench', '--out'], /argument missing/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).toMatch(/usage: evm-accel/);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    // A path that does not exist is no usage mistake to explain at length: the reason, exit 2.
    const missing = await cli(['run-block', '/nonexistent/blocks']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ENOENT.*\/nonexistent\/blocks/);
  });

  it('a forced backend that is not available is an error naming why, never a fall-back under its name', async () => {
    const env = { ...process.env, EVM_ACCEL_FPGA: '' };
    for (const args of [['bench', 'keccak', '--quick', '--backend', 'fpga'], ['run-block', 'test/fixtures/mainnet/46147.json.gz', '--backend', 'fpga']]) {
      const r = await cli(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/--backend fpga is unavailable: no FPGA target: set EVM_ACCEL_FPGA=sim/);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });

  it('info --json lists every backend, with a reason for each one not ready', async () => {
    const { stdout, code } = await cli(['info', '--json']);
    expect(code).toBe(0);
    const { backends } = JSON.parse(stdout) as { backends: { name: string; status: string; reason?: string }[] };
    expect(backends.map((b) => b.name).sort()).toEqual(['cpu-js', 'cpu-native', 'fpga', 'webgpu']);
    for (const b of backends) if (b.status !== 'ready') expect(b.reason).toBeTruthy();
    expect(backends.find((b) => b.name === 'cpu-js')!.status).toBe('ready');
  });

  it('bench keccak --quick --json measures the backend next to the peers and writes ./bench-results under the current directory', async () => {
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'bench-cwd-')));
    const { stdout, stderr, code } = await cli(['bench', 'keccak', '--quick', '--json', '--backend', 'cpu-js'], { cwd });
    expect(code).toBe(0);
    expect(stderr).toMatch(/bench keccak \[/);
    const { keccak } = JSON.parse(stdout) as { keccak: { file: string; machine: { cpu: string }; points: { contender: string }[]; ratios: unknown[] } };
    expect(keccak.file.startsWith(join(cwd, 'bench-results', 'keccak-'))).toBe(true);
    expect(keccak.machine.cpu).toBeTruthy();
    const contenders = new Set(keccak.points.map((p) => p.contender));
    expect([...contenders].sort()).toEqual(['@noble/hashes', 'evm-accel cpu-js', 'hash-wasm']);
    expect(keccak.ratios.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(keccak.file, 'utf8'))).toMatchObject({ kind: 'keccak' });
  });
});
