import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Accelerator } from '../../src/index.js';
import { CpuJsBackend } from '../../src/backends/cpu/js-backend.js';
import { openCpuNative } from '../../src/backends/cpu/native-backend.js';
import { createAcceleratorFromBackends } from '../../src/runtime/accelerator.js';
import { TamperingBackend } from '../helpers/tampering-backend.js';

// Start-up: the accelerator is handed out once the host CPU backends are calibrated (or read from
// the calibration cache); a device is measured in the background and never blocks a batch.

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : null);
const dir = mkdtempSync(join(tmpdir(), 'evm-accel-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let open: Accelerator[] = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

/** A device (cpu-native posing as webgpu) and the two host backends, cpu-native wrapped to count its calls. */
async function backends() {
  const device = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'webgpu' });
  const host = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'cpu-native' });
  return { device, host, all: [device, host, new CpuJsBackend()] };
}

/** Fresh {@link backends} and an accelerator over them that keeps its figures in `cache` (closed after the test). */
async function startWith(cache: string) {
  const set = await backends();
  const accel = await createAcceleratorFromBackends(set.all, { calibrationCache: cache });
  open.push(accel);
  return { ...set, accel };
}

describe('a device slow to calibrate', () => {
  it('is not waited for: the accelerator resolves, the first batch runs on the host, the device joins once measured', async () => {
    const { device, all } = await backends();
    let release!: () => void;
    device.gate = new Promise<void>((r) => (release = r));
    // Resolves although the device cannot finish a single calibration batch until released.
    const accel = await createAcceleratorFromBackends(all, { calibrationCache: false });
    open.push(accel);
    const info = (name: string) => accel.backends.find((b) => b.name === name)!;
    expect(info('webgpu').status).toBe('calibrating');
    expect(info('cpu-native')).toMatchObject({ status: 'ready', calibration: { source: 'measured' } });
    expect(accel.plan('keccak256', 100_000).parts.map((p) => p.backend)).not.toContain('webgpu');

    const msgs = Array.from({ length: 300 }, (_, i) => new Uint8Array([i, i >> 8, 7]));
    const got = await accel.keccak256(msgs);
    msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
    const s = accel.stats().backends;
    expect(s.webgpu.items.keccak256).toBe(0);
    expect(s['cpu-native'].items.keccak256 + s['cpu-js'].items.keccak256).toBe(300);

    // Asked for by name, the device is waited for.
    const forced = accel.keccak256(msgs.slice(0, 5), { backend: 'webgpu' });
    release();
    (await forced).forEach((d, i) => expect(hex(d)).toBe(hex(keccak_256(msgs[i]!))));
    await accel.ready();
    expect(info('webgpu')).toMatchObject({ status: 'ready', calibration: { source: 'measured' } });
    expect(accel.stats().backends.webgpu.items.keccak256).toBe(5);
  });
});

describe('the calibration cache', () => {
  it('gives a later accelerator its figures without measuring anything', async () => {
    const cache = join(dir, 'warm.json');
    const { accel: a } = await startWith(cache);
    await a.ready();
    const measured = new Map(a.backends.map((x) => [x.name, x.calibration]));
    expect([...measured.values()].map((c) => c?.source)).toEqual(['measured', 'measured', 'measured']);

    const again = await startWith(cache);
    const b = again.accel;
    // Structural: neither the host's cpu-native nor the device ran a single calibration batch.
    expect(again.host.calls).toBe(0);
    await b.ready();
    expect(again.device.calls).toBe(0);
    for (const info of b.backends) {
      expect(info.calibration).toEqual({ ...measured.get(info.name), source: 'cache' });
    }
  });

  it.each([
    ['corrupt', (_file: string) => '{"format":"evm-accel-calibration/1","entries":{'],
    ['of another format', (_file: string) => JSON.stringify({ format: 'something-else', entries: {} })],
    ['stale (40 days old)', (file: string) => readFileSync(file, 'utf8').replaceAll(/"measuredAt": "[^"]+"/g, `"measuredAt": "${new Date(Date.now() - 40 * 86_400_000).toISOString()}"`)],
    ['with nonsense figures', (file: string) => readFileSync(file, 'utf8').replaceAll(/"itemsPerSecond": [0-9.e+]+/g, '"itemsPerSecond": -1')],
  ])('is ignored when %s, and the backends are measured', async (_what, spoil) => {
    const cache = join(dir, `spoiled-${_what.replaceAll(/\W/g, '')}.json`);
    const { accel: a } = await startWith(cache);
    await a.ready();
    writeFileSync(cache, spoil(cache));
    const again = await startWith(cache);
    const b = again.accel;
    await b.ready();
    expect(b.backends.map((x) => x.calibration?.source)).toEqual(['measured', 'measured', 'measured']);
    expect(again.host.calls).toBeGreaterThan(0);
  });

  it('measures a hardware backend again in the background when its cached figures are over an hour old', async () => {
    const cache = join(dir, 'old.json');
    const { accel: a } = await startWith(cache);
    await a.ready();
    // Two hours old, and cpu-native's Keccak a thousand times too slow (as a figure taken under load can be).
    const file = JSON.parse(readFileSync(cache, 'utf8')) as { entries: Record<string, { measuredAt: string; kernels: { keccak256: { itemsPerSecond: number } } }> };
    for (const [key, entry] of Object.entries(file.entries)) {
      entry.measuredAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
      if (key.startsWith('["cpu-native"')) entry.kernels.keccak256.itemsPerSecond /= 1000;
    }
    writeFileSync(cache, JSON.stringify(file));
    const again = await startWith(cache);
    const b = again.accel;
    const native = () => b.backends.find((x) => x.name === 'cpu-native')!;
    // Handed out on the cached figures, which route Keccak away from cpu-native...
    expect(native().calibration?.source).toBe('cache');
    expect(b.plan('keccak256', 100_000).parts.map((p) => p.backend)).not.toContain('cpu-native');
    // ...until the measurement in the background corrects them, in this accelerator and in the file.
    await b.ready();
    expect(native().calibration?.source).toBe('measured');
    expect(again.host.calls).toBeGreaterThan(0);
    expect(b.plan('keccak256', 100_000).parts.map((p) => p.backend)).toContain('cpu-native');
    const third = await startWith(cache);
    const c = third.accel;
    await c.ready();
    expect(third.host.calls).toBe(0);
    expect(c.backends.find((x) => x.name === 'cpu-js')!.calibration?.source).toBe('cache');
  });

  it('does not apply one device’s figures to another', async () => {
    const cache = join(dir, 'other-device.json');
    const { accel: a } = await startWith(cache);
    await a.ready();
    // The same backend names over a different device (the JS reference instead of native code).
    const device = new TamperingBackend(new CpuJsBackend(), { name: 'webgpu' });
    const b = await createAcceleratorFromBackends([device, new CpuJsBackend()], { calibrationCache: cache });
    open.push(b);
    await b.ready();
    expect(b.backends.find((x) => x.name === 'webgpu')!.calibration?.source).toBe('measured');
    expect(b.backends.find((x) => x.name === 'cpu-js')!.calibration?.source).toBe('cache');
  });
});
