// The package as npm users get it: packed from a staging copy of this tree (so the build it makes and
// the prebuilt libraries it compiles never land in the tree other suites load from), installed into
// an empty folder outside the repository with dependencies from the npm cache (--prefer-offline: the
// registry is asked only for the version lists npm ci never caches), then used there
// as the README's "Install from npm" section says, from ESM, from CJS and from TypeScript.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = realpathSync(new URL('../..', import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/** A user's shell: none of this project's variables, none of the npm run that started the tests. */
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(EVM_ACCEL_|VK_ICD_FILENAMES$|npm_|NODE_OPTIONS$|VITEST)/.test(k)),
);

let stage = '';
const work = realpathSync(mkdtempSync(join(tmpdir(), 'evm-accel-packaging-')));
const consumer = join(work, 'consumer');
let tarball = '';

async function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd, env: userEnv, maxBuffer: 64 << 20, timeout });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The README's "Install from npm" commands, as written. */
function readmeInstallCommands(): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = readme.split('<!-- example:install')[1]!.split('```sh\n')[1]!.split('```')[0]!;
  return block
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

beforeAll(async () => {
  // Staging: what `files` ships plus what the build reads; node_modules shared, for tsc.
  stage = join(work, 'stage');
  mkdirSync(stage);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', ...pkg.files.filter((f) => !f.startsWith('dist/') && f !== 'native/prebuilt')]) {
    cpSync(join(repo, entry), join(stage, entry), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(stage, 'node_modules'));
  // npm pack runs prepack (TypeScript build, prebuilt libraries for linux-x64 and linux-arm64).
  await sh('npm', ['pack', '--pack-destination', work], stage, 600_000);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm package', () => {
  it('holds the prebuilt libraries, a LICENSE, no source maps and nothing from the build tree, in at most 3 MB', async () => {
    const { stdout } = await sh('tar', ['tzf', tarball], work);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/native/prebuilt/linux-x64-gnu/libevmaccel_cpu.so');
    expect(files).toContain('package/native/prebuilt/linux-arm64-gnu/libevmaccel_cpu.so');
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/dist/src/cli/main.js');
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('package/native/build/') || f.startsWith('package/dist/bench/'))).toEqual([]);
    expect(statSync(tarball).size).toBeLessThanOrEqual(3 * 2 ** 20);
  });

  it('installs and runs as the README says, with dependencies from the npm cache', async () => {
    for (const line of readmeInstallCommands()) {
      const [cmd, ...args] = line.split(/\s+/);
      // The package under test, not the registry's.
      const argv = cmd === 'npm' && args[0] === 'install' ? ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...args.slice(2)] : args;
      const { stdout } = await sh(cmd!, argv, consumer, 600_000);
      if (line === 'npx evm-accel --version') expect(stdout).toBe(`evm-accel ${pkg.version}\n`);
      if (line === 'npx evm-accel info') expect(stdout).toMatch(/^cpu-native +ready/m);
    }
    // npm did not install the optional peers.
    expect(readdirSync(join(consumer, 'node_modules'))).not.toContain('webgpu');
    expect(readdirSync(join(consumer, 'node_modules'))).not.toContain('hash-wasm');
    // The README states these; printed so that whoever updates it has the figures at hand.
    const { stdout: du } = await sh('du', ['-sh', join(consumer, 'node_modules')], consumer);
    process.stderr.write(`packaging: tarball ${(statSync(tarball).size / 2 ** 20).toFixed(2)} MiB, installed with dependencies ${du.split('\t')[0]}\n`);
  }, 900_000);

  it('info --json: cpu-native ready from the prebuilt library, which holds its own libsecp256k1', async () => {
    const { stdout } = await sh('npx', ['evm-accel', 'info', '--json'], consumer);
    const { backends } = JSON.parse(stdout) as { backends: { name: string; status: string; reason?: string; details?: Record<string, unknown> }[] };
    const native = backends.find((b) => b.name === 'cpu-native')!;
    expect(native.status, native.reason).toBe('ready');
    expect(native.details?.['library']).toBe(join(consumer, 'node_modules', pkg.name, 'native', 'prebuilt', `linux-${process.arch}-gnu`, 'libevmaccel_cpu.so'));
    expect(native.details?.['secp256k1']).toBe('0.5.0');
    // This machine has the distribution's libsecp256k1 too: the prebuilt one links its own statically
    // and loads no libsecp256k1 at all.
    expect(execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' })).toMatch(/libsecp256k1\.so/);
    writeFileSync(
      join(consumer, 'maps.mjs'),
      `import { readFileSync } from 'node:fs';
import { createAccelerator } from 'evm-accel';
const accel = await createAccelerator({ backends: ['cpu-native'], calibrate: false });
await accel.keccak256([new Uint8Array(1)], { backend: 'cpu-native' });
console.log(readFileSync('/proc/self/maps', 'utf8'));
await accel.close();
`,
    );
    const maps = await sh('node', ['maps.mjs'], consumer);
    expect(maps.stdout).toContain('libevmaccel_cpu.so');
    expect(maps.stdout).not.toMatch(/libsecp256k1/);
    // Without the optional peer, WebGPU is unavailable with a one-line reason; nothing else changes.
    const gpu = backends.find((b) => b.name === 'webgpu')!;
    expect(gpu.status).toBe('unavailable');
    expect(gpu.reason).toMatch(/webgpu/);
    expect(gpu.reason).not.toContain('\n');
  });

  it('demo --blocks 2 --json verifies both blocks', async () => {
    const { stdout } = await sh('npx', ['evm-accel', 'demo', '--blocks', '2', '--json', '--workers', '2'], consumer, 600_000);
    const out = JSON.parse(stdout) as { verified: boolean; blocks: { number: number; match: boolean; sequential: { identical: boolean } }[] };
    expect(out.blocks.map((b) => [b.number, b.match, b.sequential.identical])).toEqual([
      [46147, true, true],
      [5891667, true, true],
    ]);
    expect(out.verified).toBe(true);
  }, 600_000);

  it('bench runs without its optional peer and writes under the current directory', async () => {
    const { stdout, stderr } = await sh('npx', ['evm-accel', 'bench', 'keccak', '--quick', '--json', '--backend', 'cpu-native', '--verify', 'sample'], consumer);
    expect(stderr).toMatch(/hash-wasm is not installed/);
    const { keccak } = JSON.parse(stdout) as { keccak: { file: string; points: { contender: string }[] } };
    expect(new Set(keccak.points.map((p) => p.contender))).toEqual(new Set(['evm-accel cpu-native', '@noble/hashes']));
    expect(keccak.file.startsWith(join(consumer, 'bench-results'))).toBe(true);
  });

  it('the linux-arm64 library links and passes its smoke test under qemu-aarch64', async () => {
    const { stdout } = await sh('make', ['-s', '-C', join(stage, 'native', 'cpu'), 'check-arm64'], stage, 600_000);
    expect(stdout).toMatch(/smoke test passed: keccak scalar, libsecp256k1 0\.5\.0/);
  }, 600_000);

  it('imports from ESM and requires from CJS', async () => {
    writeFileSync(
      join(consumer, 'esm.mjs'),
      "const { acceleratedCrypto, runBlockAccelerated } = await import('evm-accel/ethereumjs');\nconsole.log(typeof acceleratedCrypto, typeof runBlockAccelerated);\n",
    );
    expect((await sh('node', ['esm.mjs'], consumer)).stdout).toBe('function function\n');
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      "const { createAccelerator, InputError } = require('evm-accel');\nconst { version } = require('evm-accel/package.json');\nconsole.log(typeof createAccelerator, typeof InputError, version);\n",
    );
    expect((await sh('node', ['cjs.cjs'], consumer)).stdout).toBe(`function function ${pkg.version}\n`);
  });

  it('type-checks a consumer with moduleResolution nodenext and bundler', async () => {
    // @types/debug: ethereumjs's own declarations import 'debug', which ships none.
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', '@types/node@20', '@types/debug'], consumer);
    writeFileSync(
      join(consumer, 'consumer.ts'),
      `import { createAccelerator, InputError, type Accelerator, type BackendInfo, type Signature } from 'evm-accel';
import { acceleratedCrypto, runBlockAccelerated } from 'evm-accel/ethereumjs';

export async function firstDigest(msg: Uint8Array): Promise<string> {
  const accel: Accelerator = await createAccelerator({ backends: ['cpu-native'] });
  const [digest] = await accel.keccak256([msg]);
  const sig: Signature = { hash: msg, r: msg, s: msg, recovery: 0 };
  await accel.ecrecover([sig]);
  const names: string[] = accel.backends.map((b: BackendInfo) => b.name);
  await accel.close();
  return names.join(',') + String(digest?.length) + String(new InputError(0, 'x').message);
}
export const hooks = [acceleratedCrypto, runBlockAccelerated];
`,
    );
    const base = { strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022'], types: ['node'], skipLibCheck: false };
    for (const [name, compilerOptions] of [
      ['tsconfig.nodenext.json', { ...base, module: 'nodenext', moduleResolution: 'nodenext' }],
      ['tsconfig.bundler.json', { ...base, module: 'esnext', moduleResolution: 'bundler' }],
    ] as const) {
      writeFileSync(join(consumer, name), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      await sh('node', [tsc, '-p', name], consumer);
    }
  });
});
