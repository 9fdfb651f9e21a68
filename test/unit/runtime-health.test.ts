import { afterEach, describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Accelerator, AcceleratorOptions } from '../../src/index.js';
import { CpuJsBackend } from '../../src/backends/cpu/js-backend.js';
import { openCpuNative } from '../../src/backends/cpu/native-backend.js';
import { createAcceleratorFromBackends } from '../../src/runtime/accelerator.js';
import { TamperingBackend } from '../helpers/tampering-backend.js';

// Faults over time: calibration faults count like batch faults (three in a row take a backend
// out), and a backend taken out is probed after a back-off and let back in when it passes.

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msgs = Array.from({ length: 200 }, (_, i) => new Uint8Array([i, 3, 1]));

let open: Accelerator[] = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

async function setup(failWhen: (call: number) => boolean, opts: AcceleratorOptions = {}) {
  const device = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'fpga' });
  device.failWhen = failWhen;
  const accel = await createAcceleratorFromBackends([device, new CpuJsBackend()], { calibrationCache: false, faultBackoffMs: 40, ...opts });
  open.push(accel);
  const info = () => accel.backends.find((b) => b.name === 'fpga')!;
  return { device, accel, info };
}

async function expectRight(accel: Accelerator, opts?: { backend: 'fpga' }): Promise<void> {
  const got = await accel.keccak256(msgs, opts);
  msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
}

describe('calibration faults', () => {
  it('one transient fault is counted and the calibration retried, not the backend dropped', async () => {
    const { accel, info } = await setup((call) => call === 0);
    await accel.ready();
    expect(info()).toMatchObject({ status: 'ready', calibration: { source: 'measured' } });
    expect(accel.stats().backends.fpga).toMatchObject({ errors: 1, fallbacks: 0, lastError: 'calibration: injected device fault on call 0' });
  });

  it('three in a row take the backend out; after the back-off a probe lets it back in', async () => {
    // Each calibration attempt fails at its first call.
    const { accel, device, info } = await setup((call) => call < 3);
    await accel.ready();
    expect(info().status).toBe('failed');
    expect(info().reason).toMatch(/after 3 faults in a row \(probed again in 40 ms\); last: calibration: injected device fault on call 2/);
    await expectRight(accel);
    expect(accel.stats().backends.fpga.items.keccak256).toBe(0);

    await sleep(60);
    await expectRight(accel); // this dispatch finds the back-off over and starts the probe
    await accel.ready();
    expect(info()).toMatchObject({ status: 'ready', calibration: { source: 'measured' } });
    expect(info().reason).toBeUndefined();
    expect(device.calls).toBeGreaterThan(3);
    await expectRight(accel, { backend: 'fpga' });
    expect(accel.stats().backends.fpga.items.keccak256).toBe(200);
  });
});

describe('run-time faults', () => {
  it('a backend taken out after three faulty batches is probed back in; a failed probe doubles the back-off', async () => {
    const { accel, device, info } = await setup(() => true, { calibrate: false, faultBackoffMs: 200 });
    for (let i = 0; i < 3; i++) await expectRight(accel);
    expect(info().status).toBe('failed');
    expect(info().reason).toMatch(/probed again in 200 ms/);

    await sleep(250);
    await expectRight(accel); // the probe fails too
    await accel.ready();
    expect(info().status).toBe('failed');
    expect(info().reason).toMatch(/probed again in 400 ms\); last: probe: injected device fault/);

    device.failWhen = () => false; // the fault was transient
    await sleep(30);
    await expectRight(accel); // still backing off: no probe yet
    await accel.ready();
    expect(info().status).toBe('failed');
    await sleep(400);
    await expectRight(accel);
    await accel.ready();
    expect(info().status).toBe('ready');
    await expectRight(accel);
    expect(accel.stats().backends.fpga).toMatchObject({ errors: 4, fallbacks: 3, batches: 1 });
  });
});
