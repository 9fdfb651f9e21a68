// Keccak-256 on a real WebGPU device (SwiftShader here and in CI), opened through the registry
// with its default tuning: digests must equal @noble/hashes for every length and alignment, for
// batches from 0 to 1M messages. Other tunings: webgpu-keccak-tunings.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryBatch, MAX_LEN, randomBatch, split } from '../helpers/keccak-batches.js';
import { keccakMismatches } from '../helpers/keccak-oracle.js';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

useSwiftShaderIfUnset();
const { BACKEND_FACTORIES } = await import('../../src/backends/registry.js');
const { packMessages } = await import('../../src/runtime/packing.js');
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

