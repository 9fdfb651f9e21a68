// Host-side pieces of the WebGPU backend that need no device.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../../src/backends/webgpu/adapter-kind.js';
import { SlotPool } from '../../src/backends/webgpu/buffer-pool.js';
import { resolveWebGpuOptions } from '../../src/backends/webgpu/config.js';
import { keccakShaderFiles } from '../../src/backends/webgpu/keccak-kernel.js';
import { assembleShader } from '../../src/backends/webgpu/shader-source.js';
import { packageRoot } from '../../src/package-root.js';
import { adapterChoiceFromEnv, driverSearchDirs, scanDriverManifests } from '../../src/backends/webgpu/vulkan-environment.js';

describe('describeAdapter', () => {
  const base = { vendor: '', architecture: '', device: '', description: '' };
  it('reports SwiftShader, lavapipe and fallback adapters as software', () => {
    expect(describeAdapter({ ...base, vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }).kind).toBe('software');
    expect(describeAdapter({ ...base, description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).kind).toBe('software');
    expect(describeAdapter({ ...base, device: 'lavapipe' }).kind).toBe('software');
    expect(describeAdapter({ ...base, vendor: 'nvidia', isFallbackAdapter: true }).kind).toBe('software');
  });
  it('reports a GPU as hardware and labels it', () => {
    const d = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3' });
    expect(d).toMatchObject({ kind: 'hardware', label: 'NVIDIA H100 80GB HBM3' });
    expect(describeAdapter({ ...base, vendor: 'nvidia', architecture: 'hopper' }).label).toBe('nvidia hopper');
  });
});

describe('resolveWebGpuOptions', () => {
  it('defaults, then environment, then explicit options', () => {
    expect(resolveWebGpuOptions({}, {}).keccak).toMatchObject({ lanes: 'plain', rounds: 'loop', workgroupSize: 64, inFlight: 3 });
    const env = {
      EVM_ACCEL_WEBGPU_LANES: 'interleaved',
      EVM_ACCEL_WEBGPU_ROUNDS: 'unrolled',
      EVM_ACCEL_WEBGPU_WORKGROUP: '128',
      EVM_ACCEL_WEBGPU_TIMEOUT_MS: '5',
    };
    expect(resolveWebGpuOptions({}, env)).toMatchObject({
      mapTimeoutMs: 5,
      keccak: { lanes: 'interleaved', rounds: 'unrolled', workgroupSize: 128 },
    });
    expect(resolveWebGpuOptions({ keccak: { workgroupSize: 32 } }, env).keccak.workgroupSize).toBe(32);
  });
  it('rejects malformed variables', () => {
    expect(() => resolveWebGpuOptions({}, { EVM_ACCEL_WEBGPU_LANES: 'zigzag' })).toThrow(/plain or interleaved/);
    expect(() => resolveWebGpuOptions({}, { EVM_ACCEL_WEBGPU_ROUNDS: 'some' })).toThrow(/loop or unrolled/);
    expect(() => resolveWebGpuOptions({}, { EVM_ACCEL_WEBGPU_WORKGROUP: '0' })).toThrow(/positive integer/);
  });
});

describe('shader sources', () => {
  it('finds the package root from a nested folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'evm-accel-root-'));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'dist', 'src', 'backends'), { recursive: true });
    expect(packageRoot(join(root, 'dist', 'src', 'backends'))).toBe(root);
  });
  it('assembles the keccak shader of each lane layout with its hooks', () => {
    for (const [lanes, rounds] of [['plain', 'loop'], ['interleaved', 'unrolled']] as const) {
      const code = assembleShader(keccakShaderFiles(lanes, rounds));
      for (const fn of ['fn keccak_lane_in', 'fn keccak_lane_out', 'fn keccak_permute', 'fn keccak256_main']) {
        expect(code).toContain(fn);
      }
      expect(code.indexOf('// ---- shaders/keccak256.wgsl')).toBeGreaterThan(0);
    }
  });
});

describe('SlotPool', () => {
  it('hands slots out first come, first served, and waits when all are taken', async () => {
    const pool = new SlotPool(['a', 'b']);
    const got = [await pool.acquire(), await pool.acquire()];
    const order: string[] = [];
    const third = pool.acquire().then((s) => order.push(`third:${s}`));
    const fourth = pool.acquire().then((s) => order.push(`fourth:${s}`));
    pool.release(got[0]!);
    pool.release(got[1]!);
    await Promise.all([third, fourth]);
    expect(order).toEqual([`third:${got[0]}`, `fourth:${got[1]}`]);
  });
});

describe('Vulkan environment', () => {
  it('searches the loader\'s folders in its order, from the XDG variables or their defaults', () => {
    expect(driverSearchDirs({ HOME: '/h' })).toEqual([
      '/h/.config/vulkan/icd.d',
      '/etc/xdg/vulkan/icd.d',
      '/usr/local/etc/vulkan/icd.d',
      '/etc/vulkan/icd.d',
      '/h/.local/share/vulkan/icd.d',
      '/usr/local/share/vulkan/icd.d',
      '/usr/share/vulkan/icd.d',
    ]);
    expect(driverSearchDirs({ HOME: '/h', XDG_DATA_DIRS: '/a:/b', XDG_CONFIG_DIRS: '/c' })).toEqual([
      '/h/.config/vulkan/icd.d',
      '/c/vulkan/icd.d',
      '/usr/local/etc/vulkan/icd.d',
      '/etc/vulkan/icd.d',
      '/h/.local/share/vulkan/icd.d',
      '/a/vulkan/icd.d',
      '/b/vulkan/icd.d',
    ]);
  });

  it('reads driver manifests, tells software drivers from GPU ones, and says which files are not manifests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evm-accel-icd-'));
    const icd = (library: string) => JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } });
    writeFileSync(join(dir, 'lvp_icd.x86_64.json'), icd('/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so'));
    writeFileSync(join(dir, 'nvidia_icd.json'), icd('libGLX_nvidia.so.0'));
    writeFileSync(join(dir, 'vk_swiftshader_icd.json'), icd('./libvk_swiftshader.so'));
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'README'), 'not a manifest, not a .json: skipped');
    const { manifests, problems } = scanDriverManifests([dir, '/nonexistent/icd.d']);
    expect(manifests).toEqual([
      { path: join(dir, 'lvp_icd.x86_64.json'), library: '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', software: true },
      { path: join(dir, 'nvidia_icd.json'), library: 'libGLX_nvidia.so.0', software: false },
      { path: join(dir, 'vk_swiftshader_icd.json'), library: join(dir, 'libvk_swiftshader.so'), software: true },
    ]);
    expect(problems).toEqual([`${join(dir, 'broken.json')} is not a driver manifest (not JSON)`]);
  });

  it('takes the adapter choice from EVM_ACCEL_WEBGPU_ADAPTER, gpu by default', () => {
    expect(adapterChoiceFromEnv({})).toBe('gpu');
    expect(adapterChoiceFromEnv({ EVM_ACCEL_WEBGPU_ADAPTER: 'swiftshader' })).toBe('swiftshader');
    expect(adapterChoiceFromEnv({ EVM_ACCEL_WEBGPU_ADAPTER: 'system' })).toBe('system');
    expect(() => adapterChoiceFromEnv({ EVM_ACCEL_WEBGPU_ADAPTER: 'lavapipe' })).toThrow(/must be gpu, swiftshader or system/);
  });
});
