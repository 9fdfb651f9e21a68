// Keccak-256 on a real WebGPU device (SwiftShader here and in CI): digests must equal @noble/hashes
// for every length, alignment, lane layout, workgroup size and chunking of a batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';
import { keccakMismatches, seededBytes } from '../helpers/keccak-oracle.js';

useSwiftShaderIfUnset();
const { WebGpuBackend } = await import('../../src/backends/webgpu/webgpu-backend.js');
const { resolveWebGpuOptions } = await import('../../src/backends/webgpu/config.js');
const { BACKEND_FACTORIES } = await import('../../src/backends/registry.js');
const { packMessages } = await import('../../src/runtime/packing.js');
type PackedMessages = import('../../src/runtime/packing.js').PackedMessages;
type Tuning = import('../../src/backends/webgpu/config.js').KeccakTuning;

const RATE = 136;
const MAX_LEN = 5000;

/** Every length within 9 bytes of a multiple of the rate, and every length up to two blocks. */
function boundaryLengths(): number[] {
  const set = new Set<number>();
  for (let k = 0; k * RATE <= MAX_LEN + 9; k++) {
    for (let d = -9; d <= 9; d++) {
      const len = k * RATE + d;
      if (len >= 0 && len <= MAX_LEN) set.add(len);
    }
  }
  for (let len = 0; len <= 2 * RATE + 1; len++) set.add(len);
  set.add(MAX_LEN);
  return [...set].sort((a, b) => a - b);
}

/**
 * Boundary lengths at each of the 4 byte alignments, as windows (start, length) into one random
 * buffer: offsets need not be increasing or disjoint, which the packed layout allows.
 */
function boundaryBatch(seed: number): PackedMessages {
  const lengths = boundaryLengths();
  const data = seededBytes(MAX_LEN + 64, seed);
  const offsets = new Uint32Array(lengths.length * 8);
  let i = 0;
  for (const len of lengths) {
    for (let align = 0; align < 4; align++) {
      offsets[2 * i] = 4 * ((len * 7 + i) % 12) + align;
      offsets[2 * i + 1] = len;
      i++;
    }
  }
  return { data, offsets, count: i };
}

/** `count` messages of pseudo-random lengths in [0, maxLen], packed back to back. */
function randomBatch(count: number, maxLen: number, seed: number): PackedMessages {
  const lens = seededBytes(count * 2, seed);
  const lengths = Array.from({ length: count }, (_, i) => ((lens[2 * i]! << 8) | lens[2 * i + 1]!) % (maxLen + 1));
  const total = lengths.reduce((a, b) => a + b, 0);
  const data = seededBytes(total, seed + 1);
  const msgs: Uint8Array[] = [];
  let at = 0;
  for (const l of lengths) {
    msgs.push(data.subarray(at, at + l));
    at += l;
  }
  return packMessages(msgs);
}

async function open(tuning: Partial<Tuning> = {}) {
  return WebGpuBackend.open(resolveWebGpuOptions({ keccak: tuning }, {}));
}

describe('webgpu keccak256 (default tuning)', () => {
  let backend: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    backend = await open();
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('runs on an adapter it describes, software for SwiftShader', () => {
    const d = backend.describe();
    expect(d.name).toBe('webgpu');
    expect(d.kernels).toEqual(['keccak256']);
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

describe('webgpu keccak256 under other tunings', () => {
  const tunings: Partial<Tuning>[] = [
    // The other lane layout at the largest portable workgroup size.
    { lanes: 'interleaved', workgroupSize: 256 },
    // Tiny chunks: a batch becomes many dispatches through 3 buffer sets, unsorted.
    { workgroupSize: 32, chunkMessages: 777, chunkBytes: 40_000, inFlight: 3, sortByLength: false },
  ];
  for (const tuning of tunings) {
    it(`matches noble with ${JSON.stringify(tuning)}`, async () => {
      const backend = await open(tuning);
      try {
        for (const batch of [boundaryBatch(8), randomBatch(8000, 1500, 31)]) {
          expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
        }
      } finally {
        await backend.close();
      }
    });
  }
});

describe('webgpu through the registry', () => {
  it('opens with BACKEND_FACTORIES and hashes', async () => {
    const backend = await BACKEND_FACTORIES.webgpu({});
    try {
      const batch = randomBatch(500, 400, 41);
      expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});

function split(p: PackedMessages): Uint8Array[] {
  return Array.from({ length: p.count }, (_, i) => p.data.subarray(p.offsets[2 * i]!, p.offsets[2 * i]! + p.offsets[2 * i + 1]!));
}
