import { describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { AllBackendsFailedError } from '../../src/index.js';
import { CpuJsBackend } from '../../src/backends/cpu/js-backend.js';
import { createAcceleratorFromBackends } from '../../src/runtime/accelerator.js';
import { FaultyBackend, type Fault } from '../helpers/faulty-backend.js';
import { signatureCases } from '../helpers/conformance.js';
import { SeededRandom } from '../helpers/random.js';

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : null);

function messages(n: number, seed: number): Uint8Array[] {
  const rnd = new SeededRandom(seed);
  return Array.from({ length: n }, () => rnd.bytes(rnd.int(300)));
}

describe('fallback: a faulty backend never loses or corrupts a result', () => {
  it.each<Fault>(['throw', 'hang', 'short', 'wrong'])('keccak256 with a backend that starts to %s mid-stream', async (fault) => {
    // The faulty device is preferred; its first batch succeeds, the second meets the fault.
    const faulty = new FaultyBackend('webgpu', fault, 1);
    const accel = await createAcceleratorFromBackends([faulty, new CpuJsBackend()], { calibrate: false, batchTimeoutMs: 200 });
    try {
      for (const seed of [1, 2]) {
        const msgs = messages(500, seed);
        const got = await accel.keccak256(msgs);
        msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
      }
      const s = accel.stats();
      expect(s.backends.webgpu.batches).toBe(1);
      expect(s.backends.webgpu.fallbacks).toBe(1);
      expect(s.backends.webgpu.errors).toBe(1);
      expect(s.backends.webgpu.lastError).toMatch(fault === 'hang' ? /timed out/ : fault === 'throw' ? /injected/ : /malformed|wrong/);
      expect(s.backends['cpu-js'].items.keccak256).toBe(500);
    } finally {
      await accel.close();
    }
  });

  it('ecrecover with a device returning wrong keys falls back and yields the reference keys', async () => {
    const accel = await createAcceleratorFromBackends([new FaultyBackend('cpu-native', 'wrong'), new CpuJsBackend()], {
      calibrate: false,
    });
    try {
      const cases = signatureCases(300, 7);
      const keys = await accel.ecrecover(cases.map((c) => c.sig));
      cases.forEach((c, i) => expect(hex(keys[i])).toBe(hex(c.want)));
      expect(accel.stats().backends['cpu-native'].fallbacks).toBe(1);
    } finally {
      await accel.close();
    }
  });

  it('a backend that keeps failing is taken out of rotation and reported', async () => {
    const faulty = new FaultyBackend('fpga', 'throw');
    const accel = await createAcceleratorFromBackends([faulty, new CpuJsBackend()], { calibrate: false });
    try {
      for (let i = 0; i < 5; i++) await accel.keccak256(messages(10, i));
      expect(faulty.calls).toBe(3);
      const info = accel.backends.find((b) => b.name === 'fpga')!;
      expect(info.status).toBe('failed');
      expect(info.reason).toMatch(/after 3 faults in a row \(probed again in 5 s\); last: injected device fault/);
      await expect(accel.keccak256([new Uint8Array(1)], { backend: 'fpga' })).rejects.toThrow(/taken out of rotation/);
    } finally {
      await accel.close();
    }
  });

  it('when every backend fails the caller gets an error listing each, not a wrong answer', async () => {
    const accel = await createAcceleratorFromBackends([new FaultyBackend('webgpu', 'short'), new FaultyBackend('cpu-js', 'throw')], {
      calibrate: false,
    });
    try {
      const err = await accel.keccak256(messages(3, 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AllBackendsFailedError);
      expect((err as Error).message).toMatch(/webgpu failed: malformed .*cpu-js failed: injected/);
    } finally {
      await accel.close();
    }
  });

  it('calibration marks a fast-but-wrong backend failed before it takes any user batch', async () => {
    const faulty = new FaultyBackend('webgpu', 'wrong');
    const accel = await createAcceleratorFromBackends([faulty, new CpuJsBackend()]);
    try {
      // Devices are calibrated in the background and join the rotation only once they pass.
      expect(accel.backends.find((b) => b.name === 'webgpu')!.status).toBe('calibrating');
      await accel.ready();
      const webgpu = accel.backends.find((b) => b.name === 'webgpu')!;
      expect(webgpu.status).toBe('failed');
      // Three calibration faults in a row, like three faulty batches.
      expect(faulty.calls).toBe(3);
      expect(accel.stats().backends.webgpu).toMatchObject({ errors: 3, fallbacks: 0, batches: 0 });
      const [d] = await accel.keccak256([new Uint8Array(3)]);
      expect(hex(d)).toBe(hex(keccak_256(new Uint8Array(3))));
    } finally {
      await accel.close();
    }
  });
});

describe('batching and routing', () => {
  it('coalesces concurrent calls into few dispatches and hands each caller its own results', async () => {
    const accel = await createAcceleratorFromBackends([new CpuJsBackend()], { calibrate: false, maxBatch: 1000 });
    try {
      const calls = Array.from({ length: 200 }, (_, i) => messages(1 + (i % 7), 100 + i));
      const results = await Promise.all(calls.map((msgs) => accel.keccak256(msgs)));
      calls.forEach((msgs, c) => msgs.forEach((m, i) => expect(hex(results[c]![i])).toBe(hex(keccak_256(m)))));
      const s = accel.stats();
      expect(s.calls).toBe(200);
      // 800 items in total under a 1000-item cap: one dispatch, or a couple where a timer fired early.
      expect(s.dispatches).toBeLessThanOrEqual(3);
    } finally {
      await accel.close();
    }
  });

  it('respects maxBatch when coalescing', async () => {
    const accel = await createAcceleratorFromBackends([new CpuJsBackend()], { calibrate: false, maxBatch: 50 });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => accel.keccak256(messages(10, i))));
      expect(accel.stats().dispatches).toBeGreaterThanOrEqual(4);
    } finally {
      await accel.close();
    }
  });

  it('hashes a batch of one million messages', async () => {
    const accel = await createAcceleratorFromBackends([new CpuJsBackend()], { calibrate: false });
    try {
      const msgs = Array.from({ length: 1_000_000 }, (_, i) => new Uint8Array([i & 0xff, (i >> 8) & 0xff, i >> 16]));
      const got = await accel.keccak256(msgs);
      expect(got).toHaveLength(1_000_000);
      for (const i of [0, 1, 4095, 65536, 999_999]) expect(hex(got[i])).toBe(hex(keccak_256(msgs[i]!)));
    } finally {
      await accel.close();
    }
  });
});
