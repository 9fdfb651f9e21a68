// cpu-native Keccak-256 against the @noble/hashes reference: random and boundary lengths, fills,
// thread splits, arbitrary offsets, malformed tables, and a large batch off the JS thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/runtime/backend.js';
import { BackendUnavailableError, InputError } from '../../src/runtime/errors.js';
import { DIGEST_BYTES, packMessages, type PackedMessages } from '../../src/runtime/packing.js';
import { keccakReference } from '../../src/backends/cpu/js-backend.js';
import { CpuNativeBackend, openCpuNative } from '../../src/backends/cpu/native-backend.js';
import { CPU_LIBRARY, loadNativeCpuLibrary } from '../../src/backends/cpu/native-library.js';
import { syncKeccak256, syncKeccak256Many } from '../../src/backends/cpu/sync-keccak.js';
import { builtLibraryPath } from '../../src/backends/ffi.js';
import { packageRoot } from '../../src/package-root.js';
import { BACKEND_FACTORIES } from '../../src/backends/registry.js';
import { hex, Rng, testSeed, ticksDuring } from './cpu-native-support.js';

const RATE = 136;
const MAX_LEN = 2000;
const seed = testSeed();
const rng = new Rng(seed);

let native: Backend;
beforeAll(async () => {
  console.log(`cpu-native keccak suite seed=${seed} (EVM_ACCEL_TEST_SEED replays it)`);
  native = await BACKEND_FACTORIES['cpu-native']({ workers: 2 });
});
afterAll(() => native.close());

/** Digests of `msgs` from the backend, checked one by one against the reference. */
async function expectMatchesReference(backend: Backend, msgs: Uint8Array[]): Promise<Uint8Array> {
  const out = await backend.keccak256(packMessages(msgs));
  expect(out.length).toBe(msgs.length * DIGEST_BYTES);
  let mismatches = 0;
  for (let i = 0; i < msgs.length; i++) {
    const got = out.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
    const want = keccakReference(msgs[i]!);
    if (hex(got) !== hex(want) && mismatches++ < 5) {
      expect.fail(`message ${i} (length ${msgs[i]!.length}): got ${hex(got)}, want ${hex(want)}`);
    }
  }
  return out;
}

/** Every length within one byte of a multiple of the rate, up to MAX_LEN, and the first few. */
function boundaryLengths(): number[] {
  const lens = new Set([0, 1, 2, 31, 32, 33, 63, 64, 65]);
  for (let k = RATE; k - 1 <= MAX_LEN; k += RATE) for (const d of [-1, 0, 1]) if (k + d <= MAX_LEN) lens.add(k + d);
  return [...lens].sort((a, b) => a - b);
}

describe('cpu-native keccak256', () => {
  it('matches noble on 100k random messages of lengths 0..2000, split over 2 threads', { timeout: 180_000 }, async () => {
    const msgs: Uint8Array[] = [];
    const boundaries = boundaryLengths();
    for (let i = 0; i < 100_000; i++) {
      // A quarter at a rate boundary, the rest spread, most short like real hashing inputs.
      const len =
        i % 4 === 0 ? boundaries[rng.int(boundaries.length)]! : i % 4 === 1 ? rng.int(MAX_LEN + 1) : rng.int(300);
      msgs.push(rng.bytes(len));
    }
    await expectMatchesReference(native, msgs);
  });

  it('matches noble at every length 0..2000 and at each rate boundary filled with 0x00, 0xff and random', async () => {
    const msgs: Uint8Array[] = [];
    for (let len = 0; len <= MAX_LEN; len++) msgs.push(rng.bytes(len));
    for (const len of boundaryLengths()) {
      msgs.push(new Uint8Array(len), new Uint8Array(len).fill(0xff), rng.bytes(len));
    }
    await expectMatchesReference(native, msgs);
  });

  it('gives the same digests on 1, 2, 3 and 16 threads (uneven splits, chunks of long messages)', async () => {
    // Long messages first, so that splitting by permutation count differs from splitting by count.
    // Then 2-9 kB messages: the four-lane path groups up to 63 full blocks, longer ones go alone.
    const msgs = [
      ...Array.from({ length: 50 }, () => rng.bytes(50_000 + rng.int(5000))),
      ...Array.from({ length: 400 }, () => rng.bytes(2000 + rng.int(7000))),
      ...Array.from({ length: 20_000 }, () => rng.bytes(rng.int(200))),
    ];
    const reference = await expectMatchesReference(native, msgs);
    for (const workers of [1, 3, 16]) {
      const b = await openCpuNative({ workers });
      try {
        expect(hex(await b.keccak256(packMessages(msgs)))).toBe(hex(reference));
      } finally {
        await b.close();
      }
    }
  });

  it('hashes an empty batch, one message and one empty message', async () => {
    expect((await native.keccak256(packMessages([]))).length).toBe(0);
    await expectMatchesReference(native, [rng.bytes(100)]);
    await expectMatchesReference(native, [new Uint8Array(0)]);
    // Known answer, independent of noble: Keccak-256 of the empty string.
    const empty = await native.keccak256(packMessages([new Uint8Array(0)]));
    expect(hex(empty)).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });

  it('follows arbitrary offsets: overlapping, out of order, over an unaligned view', async () => {
    const backing = rng.bytes(5003);
    const data = backing.subarray(3); // byteOffset 3: no 8-byte alignment
    const pairs: [number, number][] = [];
    for (let i = 0; i < 500; i++) {
      const start = rng.int(data.length);
      pairs.push([start, rng.int(data.length - start + 1)]);
    }
    pairs.push([data.length, 0], [0, data.length]);
    const batch: PackedMessages = { data, offsets: new Uint32Array(pairs.flat()), count: pairs.length };
    const out = await native.keccak256(batch);
    pairs.forEach(([start, len], i) => {
      expect(hex(out.subarray(i * 32, i * 32 + 32))).toBe(hex(keccakReference(data.subarray(start, start + len))));
    });
  });

  it('rejects offsets past the end of the data and a short offsets table with InputError', async () => {
    const data = new Uint8Array(100);
    await expect(native.keccak256({ data, offsets: new Uint32Array([0, 50, 60, 41]), count: 2 })).rejects.toThrow(
      InputError,
    );
    // start + len overflowing 32 bits must not wrap around into the buffer.
    await expect(native.keccak256({ data, offsets: new Uint32Array([0xffff_ff00, 0x200]), count: 1 })).rejects.toThrow(
      InputError,
    );
    await expect(native.keccak256({ data, offsets: new Uint32Array([0, 10]), count: 2 })).rejects.toThrow(InputError);
    // Large enough to take the async, multi-threaded path: the last entry is the bad one.
    const offsets = new Uint32Array(2 * 1000).fill(1);
    offsets[2 * 999 + 1] = 100;
    await expect(native.keccak256({ data, offsets, count: 1000 })).rejects.toThrow(InputError);
  });

  it('hashes a batch of 1M messages without blocking the event loop', async () => {
    const count = 1_000_000;
    const len = 64;
    const data = rng.bytes(count * len);
    const offsets = new Uint32Array(2 * count);
    for (let i = 0; i < count; i++) {
      offsets[2 * i] = i * len;
      offsets[2 * i + 1] = len;
    }
    const { result, ticks, ms } = await ticksDuring(() => native.keccak256({ data, offsets, count }));
    expect(result.length).toBe(count * DIGEST_BYTES);
    // A synchronous call would let no timer fire; the batch takes hundreds of ms on this machine.
    expect(ticks, `only ${ticks} event-loop ticks in ${ms.toFixed(0)} ms`).toBeGreaterThanOrEqual(2);
    for (let k = 0; k < 2000; k++) {
      const i = rng.int(count);
      expect(hex(result.subarray(i * 32, i * 32 + 32))).toBe(hex(keccakReference(data.subarray(i * len, i * len + len))));
    }
  });

  it('describes the CPU and thread count, and refuses calls once closed', async () => {
    const b = await openCpuNative({ workers: 3 });
    const d = b.describe();
    expect(d.name).toBe('cpu-native');
    expect(d.device).toMatch(/3 threads/);
    expect(d.details?.['threads']).toBe(3);
    expect(['avx2-x4', 'scalar']).toContain(d.details?.['keccak']);
    await b.close();
    await expect(b.keccak256(packMessages([new Uint8Array(1)]))).rejects.toThrow(/closed/);
  });

  it('rejects a bad worker count and reports a missing library as BackendUnavailableError', async () => {
    await expect(openCpuNative({ workers: 0 })).rejects.toThrow(InputError);
    await expect(openCpuNative({ workers: 1.5 })).rejects.toThrow(InputError);
    const missing = `${packageRoot()}/native/build/does-not-exist.so`;
    expect(() => loadNativeCpuLibrary(missing)).toThrow(BackendUnavailableError);
    expect(() => loadNativeCpuLibrary(missing)).toThrow(`make -C ${packageRoot()}/native/cpu`);
    // A file that exists but is no shared library, and a shared library without our entry points.
    expect(() => loadNativeCpuLibrary(`${packageRoot()}/package.json`)).toThrow(BackendUnavailableError);
    // The FPGA bridge: a shared library of this project, without the CPU kernels' entry points.
    expect(() => loadNativeCpuLibrary(`${packageRoot()}/native/build/libevmaccel_fpga.so`)).toThrow(/lacks the expected entry points.*rebuild/);
  });
});

describe('cpu-native keccak256, portable build (what CPUs without AVX2 run)', () => {
  it('matches noble at every length 0..2000, on random messages and over 3 threads', async () => {
    const lib = loadNativeCpuLibrary(builtLibraryPath(CPU_LIBRARY).replace(/\.so$/, '_portable.so'));
    expect(lib.keccakImpl).toBe('scalar');
    const portable = new CpuNativeBackend(lib, 3);
    try {
      const msgs: Uint8Array[] = [];
      for (let len = 0; len <= MAX_LEN; len++) msgs.push(rng.bytes(len));
      for (let i = 0; i < 20_000; i++) msgs.push(rng.bytes(rng.int(300)));
      await expectMatchesReference(portable, msgs);
    } finally {
      await portable.close();
    }
  });
});

describe('synchronous Keccak-256 (trie nodes and keys, one or a batch per native call)', () => {
  it('matches noble for one message at a time and for batches, empty ones included', () => {
    const one = syncKeccak256();
    const many = syncKeccak256Many();
    // Native where the library is built (the suite builds it), so the comparison is not noble against itself.
    expect(one).not.toBe(keccakReference);
    const msgs = boundaryLengths().map((len) => rng.bytes(len));
    for (let i = 0; i < 2_000; i++) msgs.push(rng.bytes(rng.int(600)));
    for (const m of msgs) expect(hex(one(m))).toBe(hex(keccakReference(m)));
    const digests = many(msgs);
    expect(digests.length).toBe(msgs.length);
    digests.forEach((d, i) => expect(hex(d), `message ${i}`).toBe(hex(keccakReference(msgs[i]!))));
    expect(many([])).toEqual([]);
    expect(many([new Uint8Array()]).map(hex)).toEqual([hex(keccakReference(new Uint8Array()))]);
  });
});
