// Faults injected into a real WebGPU device (SwiftShader): each must make the backend throw a
// BackendFaultError (so the runtime re-runs the batch elsewhere), be counted, and be followed by
// a fresh device that computes correct digests.
import { describe, expect, it } from 'vitest';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';
import { keccakMismatches, seededBytes } from '../helpers/keccak-oracle.js';

useSwiftShaderIfUnset();
const { WebGpuBackend } = await import('../../src/backends/webgpu/webgpu-backend.js');
const { resolveWebGpuOptions } = await import('../../src/backends/webgpu/config.js');
const { BackendFaultError } = await import('../../src/runtime/errors.js');
const { packMessages } = await import('../../src/runtime/packing.js');
type Options = import('../../src/backends/webgpu/config.js').WebGpuOptions;

// Enough work that SwiftShader is still busy when a fault is injected, split into several chunks.
const msgs = Array.from({ length: 20_000 }, (_, i) => seededBytes(i % 300, i + 1));
const batch = packMessages(msgs);
const SMALL_CHUNKS = { chunkMessages: 4096 };

type Backend = Awaited<ReturnType<typeof WebGpuBackend.open>>;

async function withBackend(opts: Partial<Options>, body: (b: Backend) => Promise<void>): Promise<void> {
  const b = await WebGpuBackend.open(resolveWebGpuOptions({ ...opts, keccak: SMALL_CHUNKS }, {}));
  try {
    await body(b);
  } finally {
    await b.close();
  }
}

/** The fault surfaces as a BackendFaultError whose message matches `reason`. */
async function expectFault(p: Promise<unknown>, reason: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendFaultError);
  expect((err as Error).message).toMatch(reason);
}

async function expectCorrect(b: Backend): Promise<void> {
  expect(keccakMismatches(batch, await b.keccak256(batch))).toEqual([]);
}

describe('webgpu fault injection', () => {
  it('survives device.destroy() in the middle of a batch', async () => {
    let armed = false;
    const afterSubmit = (device: GPUDevice) => {
      if (armed) {
        armed = false;
        device.destroy();
      }
    };
    await withBackend({ faults: { afterSubmit } }, async (b) => {
      await expectCorrect(b);
      armed = true;
      await expectFault(b.keccak256(batch), /lost|destroyed|readback|unmap|abort/i);
      expect(b.health).toMatchObject({ faults: 1 });
      await expectCorrect(b);
      expect(b.health).toMatchObject({ faults: 1, reacquisitions: 1 });
      expect(b.describe().details).toMatchObject({ faults: 1, reacquisitions: 1 });
    });
  });

  it('survives an error that escapes every error scope', async () => {
    let armed = false;
    const afterSubmit = (device: GPUDevice) => {
      if (armed) {
        armed = false;
        // MAP_READ may only be combined with COPY_DST: a validation error no scope catches.
        device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      }
    };
    await withBackend({ faults: { afterSubmit } }, async (b) => {
      armed = true;
      await expectFault(b.keccak256(batch), /uncaptured/i);
      await expectCorrect(b);
      expect(b.health).toMatchObject({ faults: 1, reacquisitions: 1 });
    });
  });

  it('survives a shader that does not compile', async () => {
    let broken = true;
    const transformSource = (_kernel: string, wgsl: string) =>
      broken ? wgsl.replace('keccak_permute(&s);', 'keccak_permute(&s) +;') : wgsl;
    await withBackend({ faults: { transformSource } }, async (b) => {
      await expectFault(b.keccak256(batch), /does not compile/);
      broken = false;
      await expectCorrect(b);
      expect(b.health).toMatchObject({ faults: 1, reacquisitions: 1 });
    });
  });

  it('survives a readback that does not complete in time', async () => {
    await withBackend({ mapTimeoutMs: 1 }, async (b) => {
      // Work that outlasts 1 ms on this adapter: SwiftShader is slow on anything; a GPU gets
      // 64 messages of 1 MiB, each a serial sponge of 7711 permutations in one invocation.
      const slow = b.describe().kind === 'software' ? batch : packMessages(Array.from({ length: 64 }, (_, i) => seededBytes(1 << 20, i + 7)));
      await expectFault(b.keccak256(slow), /did not complete within 1 ms/);
      // The next session's kernels read the timeout afresh.
      b.options.mapTimeoutMs = 60_000;
      await expectCorrect(b);
      expect(b.health).toMatchObject({ faults: 1, reacquisitions: 1 });
    });
  });

  it('replaces a device lost between batches without failing the next batch', async () => {
    await withBackend({}, async (b) => {
      await expectCorrect(b);
      await lostDevice(b);
      await expectCorrect(b);
      expect(b.health).toMatchObject({ faults: 1, reacquisitions: 1 });
    });
  });

  it('throws BackendFaultError after close', async () => {
    const b = await WebGpuBackend.open(resolveWebGpuOptions({}, {}));
    await b.close();
    await expectFault(b.keccak256(batch), /closed/);
  });
});

/** Destroys the backend's current device and waits until the loss is observed. */
async function lostDevice(b: Backend): Promise<void> {
  const ctx = await b.context();
  ctx.device.destroy();
  await ctx.lost;
}
