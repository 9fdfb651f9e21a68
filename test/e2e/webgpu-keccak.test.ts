// Keccak-256 on a real WebGPU device (SwiftShader here and in CI), opened through the registry
// with its default tuning: digests must equal @noble/hashes for every length and alignment, for
// batches from 0 to 1M messages. Other tunings: webgpu-keccak-tunings.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryBatch, MAX_LEN, randomBatch, split } from '../helpers/keccak-batches.js';
import { keccakMismatches, seededBytes } from '../helpers/keccak-oracle.js';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

useSwiftShaderIfUnset();
const { BACKEND_FACTORIES } = await import('../../src/backends/registry.js');
const { packMessages } = await import('../../src/runtime/packing.js');
const { createAccelerator } = await import('../../src/index.js');
const { InputError } = await import('../../src/runtime/errors.js');
type Backend = import('../../src/runtime/backend.js').Backend;

describe('webgpu keccak256 (default tuning, through the registry)', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await BACKEND_FACTORIES.webgpu({});
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('runs on an adapter it describes, software for SwiftShader', () => {
    const d = backend.describe();
    expect(d.name).toBe('webgpu');
    expect(d.kernels).toEqual(['keccak256', 'ecrecover']);
    if (/swiftshader/i.test(d.device)) expect(d.kind).toBe('software');
  });

  it('matches noble at every length around multiples of 136, at every alignment', async () => {
    const batch = boundaryBatch(7);
    expect(batch.count).toBeGreaterThan(1500);
    expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
  });

  it('matches noble on 50k messages of random lengths 0..5000', async () => {
    // Mostly short messages (as in blocks) with a long tail across the whole range.
    const short = randomBatch(40_000, 300, 11);
    const long = randomBatch(10_000, MAX_LEN, 12);
    const batch = packMessages([...split(short), ...split(long)].sort((a, b) => (a.length * 31) % 17 - (b.length * 31) % 17));
    expect(batch.count).toBe(50_000);
    expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
  });

  it('matches noble on all-zero and all-0xff messages', async () => {
    const lengths = [0, 1, 3, 4, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 1000, 4999, 5000];
    const msgs = lengths.flatMap((l) => [new Uint8Array(l), new Uint8Array(l).fill(0xff)]);
    const batch = packMessages(msgs);
    expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
  });

  it('hashes a one-message batch and an empty batch', async () => {
    const one = packMessages([new TextEncoder().encode('abc')]);
    const out = await backend.keccak256(one);
    expect(Buffer.from(out).toString('hex')).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    const empty = await backend.keccak256(packMessages([]));
    expect(empty).toBeInstanceOf(Uint8Array);
    expect(empty.length).toBe(0);
  });

  it('keeps concurrent batches apart', async () => {
    const batches = [1, 2, 3, 4, 5].map((s) => randomBatch(3000 + 500 * s, 600, 100 + s));
    const outs = await Promise.all(batches.map((b) => backend.keccak256(b)));
    batches.forEach((b, i) => expect(keccakMismatches(b, outs[i]!)).toEqual([]));
  });

  it('matches noble on a 1M-message batch', async () => {
    const batch = randomBatch(1_000_000, 64, 21);
    expect(keccakMismatches(batch, await backend.keccak256(batch), 10)).toEqual([]);
  });
});


/** Messages of the given lengths packed in order with 0-3 byte gaps (so every alignment occurs), from byte `first` of a random buffer. */
function packedWithGaps(lengths: readonly number[], seed: number, first = 5): { data: Uint8Array; offsets: Uint32Array } {
  const gaps = seededBytes(lengths.length, seed);
  const offsets = new Uint32Array(2 * lengths.length);
  let at = first;
  lengths.forEach((len, i) => {
    offsets[2 * i] = at;
    offsets[2 * i + 1] = len;
    at += len + (gaps[i]! & 3);
  });
  return { data: seededBytes(at + 3, seed + 1), offsets };
}

describe('webgpu keccak256Packed (the packed path, through the public API)', () => {
  let accel: Awaited<ReturnType<typeof createAccelerator>>;
  beforeAll(async () => {
    accel = await createAccelerator({ backends: ['webgpu'], calibrate: false });
  });
  afterAll(async () => {
    await accel?.close();
  });
  const hashPacked = (p: { data: Uint8Array; offsets: Uint32Array }) => accel.keccak256Packed(p.data, p.offsets, { backend: 'webgpu' });

  it('matches noble at every length near a multiple of the rate (135/136/137, 271/272/273, ...), at every alignment, with gaps', async () => {
    const lengths: number[] = [];
    for (let k = 0; k <= 4; k++) for (let d = -4; d <= 4; d++) if (k * 136 + d >= 0) for (let a = 0; a < 4; a++) lengths.push(k * 136 + d);
    for (const len of [135, 136, 137, 271, 272, 273]) expect(lengths).toContain(len);
    const p = packedWithGaps(lengths, 41);
    const out = await hashPacked(p);
    expect(out.length).toBe(32 * lengths.length);
    expect(keccakMismatches({ ...p, count: lengths.length }, out)).toEqual([]);
  });

  it('matches noble and the array API on 20k messages of random sizes, from a view into a larger buffer', async () => {
    const lens = seededBytes(2 * 20_000, 43);
    const lengths = Array.from({ length: 20_000 }, (_, i) => ((lens[2 * i]! << 8) | lens[2 * i + 1]!) % 701);
    const p = packedWithGaps(lengths, 44);
    const backing = new Uint8Array(p.data.length + 13);
    backing.set(p.data, 7);
    const view = { data: backing.subarray(7, 7 + p.data.length), offsets: p.offsets };
    const out = await hashPacked(view);
    expect(keccakMismatches({ ...p, count: lengths.length }, out)).toEqual([]);
    const viaArrays = await accel.keccak256(split({ ...p, count: lengths.length }), { backend: 'webgpu' });
    expect(Buffer.compare(Buffer.concat(viaArrays), Buffer.from(out))).toBe(0);
  });

  it('returns the digests as one buffer, and an empty one for no messages', async () => {
    const out = await hashPacked(packedWithGaps([3, 64, 200], 45));
    expect(out.byteLength).toBe(96);
    expect(out.buffer.byteLength).toBe(96);
    expect((await accel.keccak256Packed(new Uint8Array(0), new Uint32Array(0))).length).toBe(0);
  });

  it('rejects a malformed table with InputError naming the message', async () => {
    const data = new Uint8Array(100);
    await expect(accel.keccak256Packed(data, new Uint32Array([0, 10, 5]))).rejects.toThrow(/pairs/);
    await expect(accel.keccak256Packed(data, new Uint32Array([0, 10, 95, 6]))).rejects.toMatchObject({ index: 1 });
    await expect(accel.keccak256Packed(data, new Uint32Array([0, 10, 9, 1]))).rejects.toThrow(/inside the previous one/);
    await expect(accel.keccak256Packed(data, new Uint32Array([0, 10, 9, 1]))).rejects.toBeInstanceOf(InputError);
    await expect(accel.keccak256Packed(data, [0, 1] as unknown as Uint32Array)).rejects.toThrow(/Uint32Array/);
  });
});

describe('webgpu keccak256 staging: chunks overlap through reused staging buffers', () => {
  it('stays exact across many small chunks, 3 in flight, batches of shrinking sizes reusing the buffers', async () => {
    const { WebGpuBackend } = await import('../../src/backends/webgpu/webgpu-backend.js');
    const { resolveWebGpuOptions } = await import('../../src/backends/webgpu/config.js');
    const backend = await WebGpuBackend.open(resolveWebGpuOptions({ keccak: { chunkMessages: 1000, inFlight: 3 } }, {}));
    try {
      // Long 0xff-filled messages first: their bytes sit in the staging buffers that later, shorter chunks reuse.
      const first = packMessages(Array.from({ length: 6000 }, (_, i) => new Uint8Array(200 + (i % 77)).fill(0xff)));
      expect(keccakMismatches(first, await backend.keccak256(first))).toEqual([]);
      for (const [count, maxLen, seed] of [[5003, 141, 51], [3001, 7, 52], [999, 3, 53]] as const) {
        const batch = randomBatch(count, maxLen, seed);
        expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
      }
      const { stats } = await backend.kernel('keccak256');
      expect(stats.dispatches).toBeGreaterThanOrEqual(6 + 6 + 4 + 1);
      expect(stats.messages).toBe(6000 + 5003 + 3001 + 999);
      expect(stats.uploadBytes).toBeGreaterThan(first.data.length + 8 * stats.messages);
      expect(stats.readbackBytes).toBe(32 * stats.messages);
      for (const [stage, ms] of Object.entries(stats.stageMs)) expect(ms, stage).toBeGreaterThan(0);
    } finally {
      await backend.close();
    }
  });
});
