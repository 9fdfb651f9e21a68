// What the WebGPU backend says when it cannot run, and that it stays quiet when it can: each
// reason `info` gives is produced for real, in a child process whose environment lacks the part
// (the `webgpu` package, the Vulkan loader, a Vulkan driver), or in this process by asking Dawn for
// what it refuses (an adapter that does not exist, a device beyond the adapter's limits). In every
// case the other backends work as before and nothing is printed on stderr: the library checks
// what Dawn needs before starting it, and chooses its own Vulkan environment.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GpuContext } from '../../src/backends/webgpu/device.js';
import { BackendUnavailableError } from '../../src/runtime/errors.js';
import { SWIFTSHADER_ICD, useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

const INDEX = new URL('../../dist/src/index.js', import.meta.url).pathname;
const EMPTY_DIGEST = 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';

/** Makes `import('webgpu')` fail in the child as it does where the optional peer is not installed. */
const WITHOUT_WEBGPU = `export async function resolve(specifier, context, next) {
  if (specifier === 'webgpu') {
    const e = new Error("Cannot find package 'webgpu' imported from " + context.parentURL);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;

const CHILD = `
if (process.env.HIDE_WEBGPU) (await import('node:module')).register('data:text/javascript,' + encodeURIComponent(process.env.HIDE_WEBGPU));
const { createAccelerator } = await import(process.env.EVM_ACCEL_INDEX);
const accel = await createAccelerator({ backends: ['webgpu', 'cpu-js'], calibrate: false });
const [digest] = await accel.keccak256([new Uint8Array(0)], { backend: 'cpu-js' });
const backends = Object.fromEntries(accel.backends.map((b) => [b.name, { status: b.status, kind: b.kind, device: b.device, reason: b.reason }]));
await accel.close();
process.stdout.write(JSON.stringify({ backends, digest: Buffer.from(digest).toString('hex') }));
`;

interface Outcome {
  webgpu: { status: string; kind: string; device: string; reason?: string };
  stderr: string;
}

/** Runs the child in a plain environment (PATH and HOME only) plus `env`; checks the other backend works. */
async function child(env: Record<string, string>): Promise<Outcome> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', EVM_ACCEL_INDEX: INDEX, ...env },
  });
  const out = JSON.parse(stdout) as { backends: Record<string, Outcome['webgpu']>; digest: string };
  expect(out.backends['cpu-js']?.status).toBe('ready');
  expect(out.digest).toBe(EMPTY_DIGEST);
  return { webgpu: out.backends.webgpu!, stderr };
}

/** A driver manifest in a fresh folder naming `library`. */
function manifest(library: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'evm-accel-icd-')), 'test_icd.json');
  writeFileSync(path, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
  return path;
}

describe('webgpu unavailable: each reason, and nothing on stderr', () => {
  it('dist/ is built (scripts/setup.sh build)', () => expect(existsSync(INDEX)).toBe(true));

  it('without the optional `webgpu` package', async () => {
    const { webgpu, stderr } = await child({ HIDE_WEBGPU: WITHOUT_WEBGPU, EVM_ACCEL_WEBGPU_ADAPTER: 'swiftshader' });
    expect(webgpu.status).toBe('unavailable');
    expect(webgpu.reason).toBe('the optional peer dependency `webgpu` (Dawn) is not installed: npm install webgpu');
    expect(stderr).toBe('');
  });

  it('without a Vulkan loader (an unloadable libvulkan.so.1 first on LD_LIBRARY_PATH)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evm-accel-novulkan-'));
    writeFileSync(join(dir, 'libvulkan.so.1'), '');
    const { webgpu, stderr } = await child({ LD_LIBRARY_PATH: dir, EVM_ACCEL_WEBGPU_ADAPTER: 'swiftshader' });
    expect(webgpu.status).toBe('unavailable');
    expect(webgpu.reason).toMatch(/^no Vulkan loader: libvulkan\.so\.1 does not load \(.*file too short\); install it \(Debian\/Ubuntu: apt install libvulkan1\)$/);
    expect(stderr).toBe('');
  });

  it('without a Vulkan driver: a manifest that is missing, names a missing library, or a library that is no driver', async () => {
    const cases: [string, RegExp][] = [
      ['/nonexistent/icd.json', /^no Vulkan driver: \/nonexistent\/icd\.json \(from VK_ICD_FILENAMES\) does not exist$/],
      [manifest('/nonexistent/libvulkan_nothing.so'), /^no Vulkan driver: test_icd\.json: \/nonexistent\/libvulkan_nothing\.so does not load \(/],
      [manifest('libz.so.1'), /^no Vulkan driver: test_icd\.json: libz\.so\.1 is not a Vulkan driver \(no vk_icdGetInstanceProcAddr\)$/],
    ];
    for (const [icd, reason] of cases) {
      const { webgpu, stderr } = await child({ VK_ICD_FILENAMES: icd });
      expect(webgpu.status, icd).toBe('unavailable');
      expect(webgpu.reason, icd).toMatch(reason);
      expect(stderr, icd).toBe('');
    }
  });

  it('by default uses a GPU driver only, or says there is none (never a software driver, never a warning)', async () => {
    const { webgpu, stderr } = await child({});
    if (webgpu.status === 'ready') expect(webgpu.kind).toBe('hardware');
    else expect(webgpu.reason).toMatch(/^no Vulkan driver for a GPU \(no driver manifest in .*\/etc\/vulkan\/icd\.d/);
    expect(stderr).toBe('');
  });

  it.skipIf(!existsSync(SWIFTSHADER_ICD))('runs on SwiftShader when asked, in a plain environment or with a bad XDG_RUNTIME_DIR, quietly', async () => {
    const envs: Record<string, string>[] = [{}, { XDG_RUNTIME_DIR: '/nonexistent' }, { XDG_RUNTIME_DIR: '/tmp' }];
    for (const env of envs) {
      const { webgpu, stderr } = await child({ EVM_ACCEL_WEBGPU_ADAPTER: 'swiftshader', ...env });
      expect(webgpu, JSON.stringify(env)).toMatchObject({ status: 'ready', kind: 'software' });
      expect(webgpu.device).toMatch(/SwiftShader/);
      expect(stderr, JSON.stringify(env)).toBe('');
    }
  });

  it('rejects an unknown EVM_ACCEL_WEBGPU_ADAPTER', async () => {
    const { webgpu } = await child({ EVM_ACCEL_WEBGPU_ADAPTER: 'vulkan' });
    expect(webgpu.reason).toBe("EVM_ACCEL_WEBGPU_ADAPTER must be gpu, swiftshader or system; got 'vulkan'");
  });
});

describe('webgpu unavailable: what Dawn refuses', () => {
  useSwiftShaderIfUnset();

  it('no adapter: Dawn finds none of the kind asked for', async () => {
    const err = await GpuContext.acquire({ dawnFlags: ['adapter=no such adapter'] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^backend webgpu is unavailable: no WebGPU adapter( \(Dawn found none on the Vulkan drivers? .+\))?: no suitable backends found/);
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it('adapter refused: a device beyond the adapter\'s limits, and which adapter said no', async () => {
    const deviceDescriptor = (d: GPUDeviceDescriptor): GPUDeviceDescriptor => ({ ...d, requiredLimits: { ...d.requiredLimits, maxBufferSize: 2 ** 52 } });
    const err = await GpuContext.acquire({ faults: { deviceDescriptor } }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^backend webgpu is unavailable: the adapter .+ refused a device: Required limit \(4503599627370496\) is greater than the supported limit/);
    expect((err as Error).message).not.toMatch(/\n/);
  });
});
