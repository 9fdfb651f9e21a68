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
    expect(resolveWebGpuOptions({}, {}).keccak).toMatchObject({ lanes: 'plain', rounds: 'loop', workgroupSize: 64, inFlight: 2 });
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
