import { afterEach, describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Accelerator, AcceleratorOptions } from '../../src/index.js';
import { CpuJsBackend } from '../../src/backends/cpu/js-backend.js';
import { openCpuNative } from '../../src/backends/cpu/native-backend.js';
import { createAcceleratorFromBackends } from '../../src/runtime/accelerator.js';
import { packMessages } from '../../src/runtime/packing.js';
import type { Backend } from '../../src/runtime/backend.js';
import { signatureCases } from '../helpers/conformance.js';
import { SeededRandom } from '../helpers/random.js';
import { TamperingBackend } from '../helpers/tampering-backend.js';

// Verification levels through the public API, with real backends (cpu-native, cpu-js) wrapped to
// pose as a device whose results are tampered with.

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : null);

let open: Accelerator[] = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

/** A device (cpu-native posing as webgpu), a real cpu-native and the JS reference. */
async function withDevice(opts: AcceleratorOptions & { fused?: boolean } = {}): Promise<{ accel: Accelerator; device: TamperingBackend }> {
  const { fused, ...accelOpts } = opts;
  const device = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'webgpu', fused: fused ?? true });
  const backends: Backend[] = [device, await openCpuNative({ workers: 2 }), new CpuJsBackend()];
  const accel = await createAcceleratorFromBackends(backends, { calibrate: false, ...accelOpts });
  open.push(accel);
  return { accel, device };
}

/** Flips one bit of one random item of each result. */
function flipOneItem(rnd: SeededRandom, flipped: number[]) {
  return (digests: Uint8Array): Uint8Array => {
    const i = rnd.int(digests.length / 32);
    flipped.push(i);
    const out = digests.slice();
    out[i * 32 + rnd.int(32)]! ^= 1 << rnd.int(8);
    return out;
  };
}

function messages(n: number, seed: number): Uint8Array[] {
  const rnd = new SeededRandom(seed);
  return Array.from({ length: n }, () => rnd.bytes(32 + rnd.int(100)));
}

/** A good batch between trials, so that three catches in a row do not take the device out. */
async function goodBatch(accel: Accelerator, device: TamperingBackend): Promise<void> {
  const [tamper, latency] = [device.tamper, device.latencyMs];
  device.tamper = {};
  device.latencyMs = 0;
  await accel.keccak256([new Uint8Array(1)], { backend: 'webgpu' });
  [device.tamper, device.latencyMs] = [tamper, latency];
}

describe("'sample': one wrong item in 10,000 is caught with the stated probability", () => {
  it('detection rate over many trials matches plan().detection within 4 standard deviations', async () => {
    const msgs = messages(10_000, 1);
    // The rule gives a batch 2% of its estimated time for checks. A device latency (a GPU round
    // trip) sized from the checker's speed here puts the detection probability near 25%, which a
    // hundred trials measure, whatever this machine's speed.
    const native = await openCpuNative({ workers: 2 });
    const packed = packMessages(msgs);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await native.keccak256(packed);
      best = Math.min(best, performance.now() - t0);
    }
    const device = new TamperingBackend(native, { name: 'webgpu' });
    device.latencyMs = Math.min(250, Math.max(5, ((0.25 - 0.02) * best) / 0.02));
    const accel = await createAcceleratorFromBackends([device, await openCpuNative({ workers: 2 }), new CpuJsBackend()], { calibrationCache: false });
    open.push(accel);
    await accel.ready();
    const plan = accel.plan('keccak256', 10_000, { backend: 'webgpu' });
    const check = plan.parts[0]!.check!;
    expect(check.by).toBe('cpu-native');
    expect(check.items).toBeGreaterThan(1);
    const p = check.detection;
    expect(p).toBe(check.items / 10_000);

    const want = msgs.map((m) => hex(keccak_256(m)));
    const rnd = new SeededRandom(2);
    // Bounded so that a loaded machine (where p comes out small) still finishes in time.
    const trials = Math.min(300, Math.max(60, Math.ceil(20 / p)));
    let caught = 0;
    for (let t = 0; t < trials; t++) {
      const flipped: number[] = [];
      device.tamper = { keccak256: flipOneItem(rnd, flipped) };
      const errors = accel.stats().backends.webgpu.errors;
      const got = await accel.keccak256(msgs, { backend: 'webgpu' });
      const wasCaught = accel.stats().backends.webgpu.errors > errors;
      if (wasCaught) caught++;
      // Caught: re-run elsewhere, every digest right. Missed: exactly the one flipped item is wrong.
      const wrong = got.flatMap((d, i) => (hex(d) === want[i] ? [] : [i]));
      expect(wrong).toEqual(wasCaught ? [] : flipped);
      await goodBatch(accel, device);
    }
    const mean = trials * p;
    const sd = Math.sqrt(trials * p * (1 - p));
    expect(Math.abs(caught - mean), `caught ${caught} of ${trials}, expected ${mean.toFixed(1)} ± ${sd.toFixed(1)}`).toBeLessThanOrEqual(4 * sd + 1);
    expect(accel.stats().backends.webgpu.lastError).toMatch(/wrong keccak256 result for item \d+ of 10000 \(reference spot check on cpu-native\)/);
  }, 300_000);
});

describe("'full': every item is recomputed on an independent backend", () => {
  it('catches one flipped bit in 10,000 items every time', async () => {
    const { accel, device } = await withDevice({ verify: 'full' });
    const msgs = messages(10_000, 3);
    const want = msgs.map((m) => hex(keccak_256(m)));
    const rnd = new SeededRandom(4);
    expect(accel.plan('keccak256', 10_000, { backend: 'webgpu' }).parts[0]!.check).toEqual({ by: 'cpu-native', items: 10_000, detection: 1 });
    for (let t = 0; t < 20; t++) {
      device.tamper = { keccak256: flipOneItem(rnd, []) };
      const got = await accel.keccak256(msgs, { backend: 'webgpu' });
      got.forEach((d, i) => expect(hex(d)).toBe(want[i]));
      await goodBatch(accel, device);
    }
    const s = accel.stats().backends;
    expect(s.webgpu.errors).toBe(20);
    expect(s.webgpu.fallbacks).toBe(20);
    expect(s['cpu-native'].items.keccak256).toBe(20 * 10_000);
    expect(s.webgpu.lastError).toMatch(/reference full check on cpu-native/);
  });
});

describe('a device that answers null for every signature', () => {
  const allNull = (r: { valid: Uint8Array }) => ({ ...r, valid: new Uint8Array(r.valid.length) });

  it.each([1, 10, 255])("is caught on a batch of %i under 'sample', by ecrecover and recoverAddresses", async (n) => {
    const { accel, device } = await withDevice();
    device.tamper = { ecrecover: (r) => ({ ...r, ...allNull(r) }), addresses: (r) => ({ ...r, ...allNull(r) }) };
    // Random signatures, most valid, some not (whose null is right); a valid one where n = 1.
    const pool = signatureCases(n + 20, 5).reverse();
    const cases = n === 1 ? pool.filter((c) => c.want).slice(0, 1) : pool.slice(0, n);
    const keys = await accel.ecrecover(cases.map((c) => c.sig));
    cases.forEach((c, i) => expect(hex(keys[i])).toBe(hex(c.want)));
    const addrs = await accel.recoverAddresses(cases.map((c) => c.sig));
    cases.forEach((c, i) => expect(hex(addrs[i])).toBe(c.want ? hex(keccak_256(c.want).subarray(12)) : null));
    const s = accel.stats().backends;
    expect(s.webgpu.errors).toBe(2);
    expect(s.webgpu.fallbacks).toBe(2);
    expect(s.webgpu.lastError).toMatch(n === 1 ? /wrong addresses result for item 0 of 1/ : /wrong addresses result for item \d+ of \d+/);
  });

  it("reaches the caller under 'none' (nothing is checked: benchmarks only)", async () => {
    const { accel, device } = await withDevice({ verify: 'none' });
    device.tamper = { ecrecover: (r) => ({ ...r, ...allNull(r) }) };
    const cases = signatureCases(40, 6).reverse().slice(0, 10);
    expect(await accel.ecrecover(cases.map((c) => c.sig))).toEqual(Array(10).fill(null));
    expect(accel.stats().backends.webgpu.errors).toBe(0);
  });
});

describe('a device that corrupts every key it calls valid', () => {
  it("is caught under 'sample' even where nearly every signature is invalid (the draw never lands on a valid one alone by luck)", async () => {
    const { accel, device } = await withDevice();
    const pool = signatureCases(400, 8);
    const invalid = pool.filter((c) => !c.want);
    const valid = pool.filter((c) => c.want);
    expect(invalid.length).toBeGreaterThanOrEqual(20);
    for (let trial = 0; trial < 8; trial++) {
      // One valid signature among 20 invalid ones, at a different place each trial.
      const cases = [...invalid.slice(0, 20)];
      cases.splice((trial * 7) % 21, 0, valid[trial]!);
      device.tamper = { ecrecover: (r) => ({ ...r, keys: r.keys.map((b) => b ^ 0x80) }) };
      const keys = await accel.ecrecover(cases.map((c) => c.sig));
      cases.forEach((c, i) => expect(hex(keys[i])).toBe(hex(c.want)));
      expect(accel.stats().backends.webgpu.fallbacks).toBe(trial + 1);
      await goodBatch(accel, device);
    }
  });
});

describe('invariants and disputes', () => {
  it('an address that is not the Keccak of its key is caught wherever it is, when the runtime composes addresses', async () => {
    // Without a fused kernel the runtime recovers keys then hashes them on the device: one of the
    // 300 hashes is wrong, which the sample alone would rarely see.
    const { accel, device } = await withDevice({ fused: false });
    const rnd = new SeededRandom(7);
    device.tamper = {
      keccak256: (d, batch) => {
        if (batch.count !== 300) return d;
        const out = d.slice();
        out[rnd.int(300) * 32 + 12 + rnd.int(20)]! ^= 1; // within the address, the digest's last 20 bytes
        return out;
      },
    };
    const cases = signatureCases(400, 8).filter((c) => c.want).slice(0, 300);
    for (let t = 0; t < 3; t++) {
      const addrs = await accel.recoverAddresses(cases.map((c) => c.sig));
      cases.forEach((c, i) => expect(hex(addrs[i])).toBe(c.want ? hex(keccak_256(c.want).subarray(12)) : null));
    }
    expect(accel.stats().backends.webgpu.errors).toBe(3);
    expect(accel.stats().backends.webgpu.lastError).toMatch(/not the Keccak of the recovered key|wrong addresses result/);
  });

  it('a checker that is wrong does not fail a right batch: the reference settles it and the checker takes the fault', async () => {
    const checker = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'cpu-native' });
    checker.tamper = { keccak256: (d) => d.map((b) => b ^ 0xff) };
    const device = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'webgpu' });
    const accel = await createAcceleratorFromBackends([device, checker, new CpuJsBackend()], { calibrate: false, verify: 'full' });
    open.push(accel);
    const msgs = messages(50, 9);
    const got = await accel.keccak256(msgs, { backend: 'webgpu' });
    msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
    const s = accel.stats().backends;
    expect(s.webgpu.errors).toBe(0);
    expect(s.webgpu.checkedItems).toBe(50);
    expect(s['cpu-native'].errors).toBe(1);
    expect(s['cpu-native'].lastError).toMatch(/while checking webgpu \(settled by the reference\)/);
  });

  it('a checker that fails takes the fault, and the reference checks instead', async () => {
    const checker = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'cpu-native' });
    checker.failWhen = () => true;
    const device = new TamperingBackend(await openCpuNative({ workers: 2 }), { name: 'webgpu' });
    device.tamper = { keccak256: (d) => d.map((b) => b ^ 1) };
    const accel = await createAcceleratorFromBackends([device, checker, new CpuJsBackend()], { calibrate: false, verify: 'full' });
    open.push(accel);
    const msgs = messages(20, 10);
    const got = await accel.keccak256(msgs, { backend: 'webgpu' });
    msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
    const s = accel.stats().backends;
    // Its fault as the checker, then as the next backend the batch was re-run on.
    expect(s['cpu-native']).toMatchObject({ errors: 2, fallbacks: 1 });
    expect(s.webgpu.lastError).toMatch(/wrong keccak256 result for item 0 of 20 \(reference full check on reference\)/);
    expect(s['cpu-js'].items.keccak256).toBe(20);
  });

  it("every batch of every size is checked under 'sample'", async () => {
    const { accel } = await withDevice();
    for (const n of [1, 2, 10, 255, 256, 4096]) {
      const before = accel.stats().backends.webgpu.checkedItems;
      await accel.keccak256(messages(n, n), { backend: 'webgpu' });
      expect(accel.stats().backends.webgpu.checkedItems - before).toBeGreaterThanOrEqual(1);
      expect(accel.plan('keccak256', n, { backend: 'webgpu' }).parts[0]!.check!.items).toBeGreaterThanOrEqual(1);
    }
  });
});
