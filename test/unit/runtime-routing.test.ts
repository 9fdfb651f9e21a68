import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Accelerator } from '../../src/index.js';
import { CpuJsBackend } from '../../src/backends/cpu/js-backend.js';
import { openCpuNative } from '../../src/backends/cpu/native-backend.js';
import { createAcceleratorFromBackends } from '../../src/runtime/accelerator.js';
import type { Backend } from '../../src/runtime/backend.js';
import { CalibrationCache } from '../../src/runtime/calibration-cache.js';
import { TamperingBackend } from '../helpers/tampering-backend.js';

// Routing by estimated time (latency + items × per-item cost). Each backend's cost lines are put
// in a calibration cache file first, so that the routing under test follows known figures; the
// batches then run on real (wrapped) backends.

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : null);
const dir = mkdtempSync(join(tmpdir(), 'evm-accel-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let open: Accelerator[] = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

/** latency ms, items per second, for keccak256 and ecrecover alike. */
type Figures = [latencyMs: number, itemsPerSecond: number];

/** An accelerator over `backends` whose calibration is the given figures, read from a cache file. */
async function withFigures(backends: [Backend, Figures][]): Promise<Accelerator> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  const cache = new CalibrationCache(path);
  for (const [b, [latencyMs, rate]] of backends) {
    const m = { latencyMs, msPerItem: 1000 / rate };
    await cache.save(CalibrationCache.key(b.describe()), { measuredAt: new Date().toISOString(), models: { keccak256: m, ecrecover: m } });
  }
  const accel = await createAcceleratorFromBackends(
    backends.map(([b]) => b),
    { calibrationCache: path },
  );
  open.push(accel);
  await accel.ready();
  return accel;
}

const device = async (name: 'webgpu' | 'fpga', kind: 'hardware' | 'software' = 'hardware') =>
  new TamperingBackend(await openCpuNative({ workers: 2 }), { name, kind });
const messages = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array([i, i >> 8, i >> 16, 1]));

describe('latency-aware routing', () => {
  it('sends a block-sized batch where it finishes first and a large one to the GPU; routing() gives the crossover', async () => {
    // A GPU: 2 ms per dispatch, 100M items/s. The CPU: 5 µs, 10M items/s. The JS reference: 100k/s.
    const accel = await withFigures([
      [await device('webgpu'), [2, 100e6]],
      [await openCpuNative({ workers: 2 }), [0.005, 10e6]],
      [new CpuJsBackend(), [0, 100e3]],
    ]);
    // The GPU wins once 2 + n/100e3 < 0.005 + n/10e3 (in ms): n > 1.995 / 9e-5 = 22,166.7.
    const route = accel.routing();
    expect(route.verify).toBe('sample');
    expect(route.kernels.keccak256).toEqual([
      { from: 1, backends: ['cpu-native'] },
      { from: 22_167, backends: ['webgpu'] },
    ]);
    expect(accel.plan('keccak256', 22_166).parts.map((p) => p.backend)).toEqual(['cpu-native']);
    expect(accel.plan('keccak256', 22_167).parts.map((p) => p.backend)).toEqual(['webgpu']);

    const block = messages(300);
    (await accel.keccak256(block)).forEach((d, i) => expect(hex(d)).toBe(hex(keccak_256(block[i]!))));
    expect(accel.stats().backends['cpu-native'].items.keccak256).toBe(300);
    expect(accel.stats().backends.webgpu.items.keccak256).toBe(0);
    const large = messages(100_000);
    const got = await accel.keccak256(large);
    for (const i of [0, 1, 65_535, 99_999]) expect(hex(got[i])).toBe(hex(keccak_256(large[i]!)));
    expect(accel.stats().backends.webgpu.items.keccak256).toBe(100_000);
  });

  it('never lets an emulated device take work from a hardware backend, however good its figures', async () => {
    const swiftshader = await device('webgpu', 'software');
    const accel = await withFigures([
      [swiftshader, [0, 1e9]],
      [await openCpuNative({ workers: 2 }), [0.005, 10e6]],
      [new CpuJsBackend(), [0, 100e3]],
    ]);
    expect(accel.routing().kernels.keccak256).toEqual([{ from: 1, backends: ['cpu-native'] }]);
    expect(accel.routing().kernels.ecrecover).toEqual([{ from: 1, backends: ['cpu-native'] }]);
    await accel.keccak256(messages(50_000));
    expect(accel.stats().backends.webgpu.items.keccak256).toBe(0);
    expect(accel.backends.map((b) => b.name)).toEqual(['cpu-native', 'webgpu', 'cpu-js']);
  });

  it('lets the JS reference take a tiny batch from a GPU, and an emulated device compete with it where no hardware has the kernel', async () => {
    const gpu = await withFigures([
      [await device('webgpu'), [2, 100e6]],
      [new CpuJsBackend(), [0, 100e3]],
    ]);
    // cpu-js wins while n/100 < 2 + n/100e3 (ms): below 200.2 items.
    expect(gpu.routing().kernels.keccak256).toEqual([
      { from: 1, backends: ['cpu-js'] },
      { from: 201, backends: ['webgpu'] },
    ]);
    const emulated = await withFigures([
      [await device('webgpu', 'software'), [50, 1e6]],
      [new CpuJsBackend(), [0, 100e3]],
    ]);
    // 50 + n/1e3 < n/100: from 5,556 items.
    expect(emulated.routing().kernels.keccak256).toEqual([
      { from: 1, backends: ['cpu-js'] },
      { from: 5556, backends: ['webgpu'] },
    ]);
  });

  it('splits a large batch across hardware backends so that they finish together', async () => {
    // Same latency, rates 3:1: shares 3:1, once a share is worth a dispatch and the split gains 10%.
    const accel = await withFigures([
      [await device('webgpu'), [1, 3e6]],
      [await openCpuNative({ workers: 2 }), [1, 1e6]],
      [new CpuJsBackend(), [0, 100e3]],
    ]);
    const plan = accel.plan('keccak256', 100_000);
    expect(plan.parts.map((p) => [p.backend, p.items])).toEqual([
      ['webgpu', 75_000],
      ['cpu-native', 25_000],
    ]);
    expect(plan.parts[0]!.estimatedMs).toBeCloseTo(plan.parts[1]!.estimatedMs!, 6);
    const msgs = messages(100_000);
    const got = await accel.keccak256(msgs);
    for (const i of [0, 74_999, 75_000, 99_999]) expect(hex(got[i])).toBe(hex(keccak_256(msgs[i]!)));
    const s = accel.stats().backends;
    expect([s.webgpu.items.keccak256, s['cpu-native'].items.keccak256]).toEqual([75_000, 25_000]);
  });
});
