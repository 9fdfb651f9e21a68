import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, InputError, createAccelerator, type Accelerator, type AcceleratorOptions, type Signature } from '../../src/index.js';

let accel: Accelerator;
beforeAll(async () => {
  accel = await createAccelerator({ backends: ['cpu-js'], calibrate: false });
});
afterAll(() => accel.close());

const good: Signature = { hash: new Uint8Array(32), r: new Uint8Array(32).fill(1), s: new Uint8Array(32).fill(2), recovery: 0 };

describe('malformed input is a typed error naming the item', () => {
  it.each([
    ['a short hash', { ...good, hash: new Uint8Array(31) }, /item 2: hash must be 32 bytes, got 31/],
    ['a long r', { ...good, r: new Uint8Array(33) }, /item 2: r must be 32 bytes, got 33/],
    ['s as a plain array', { ...good, s: Array(32).fill(0) }, /item 2: s must be a Uint8Array, got Array/],
    ['recovery 2', { ...good, recovery: 2 }, /item 2: recovery must be 0 or 1, got 2/],
    ['recovery 27', { ...good, recovery: 27 }, /item 2: recovery must be 0 or 1, got 27/],
    ['null', null, /item 2: signature must be an object, got null/],
  ])('ecrecover rejects %s', async (_what, bad, message) => {
    const sigs = [good, good, bad as Signature];
    const err = await accel.ecrecover(sigs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).index).toBe(2);
    expect((err as Error).message).toMatch(message);
    await expect(accel.recoverAddresses(sigs)).rejects.toThrow(message);
  });

  it('keccak256 rejects a non-Uint8Array message with its index', async () => {
    const err = await accel.keccak256([new Uint8Array(1), 'abc' as unknown as Uint8Array]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).index).toBe(1);
    expect((err as Error).message).toMatch(/item 1: message must be a Uint8Array, got string/);
  });

  it('keccak256 rejects a non-array', async () => {
    await expect(accel.keccak256('abc' as unknown as Uint8Array[])).rejects.toBeInstanceOf(InputError);
  });

  it('accepts Buffer, a Uint8Array subclass', async () => {
    const [d] = await accel.keccak256([Buffer.from('abc')]);
    expect(Buffer.from(d!).toString('hex')).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('an invalid but well-formed signature yields null, not an error', async () => {
    expect(await accel.ecrecover([{ ...good, r: new Uint8Array(32) }])).toEqual([null]);
  });
});

describe('options', () => {
  it('forcing a backend the accelerator lacks says which and why', async () => {
    const err = await accel.keccak256([new Uint8Array(1)], { backend: 'fpga' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).backend).toBe('fpga');
    expect((err as Error).message).toMatch(/backend fpga is unavailable: not among the backends/);
  });

  it.each([
    [{ workers: 0 }, /workers must be an integer in 1\.\.256, got 0/],
    [{ workers: 1.5 }, /workers must be an integer in 1\.\.256, got 1\.5/],
    [{ workers: 1000 }, /workers must be an integer in 1\.\.256, got 1000/],
    [{ workers: '4' }, /workers must be an integer in 1\.\.256, got '4'/],
    [{ maxBatch: 0 }, /maxBatch must be an integer in 1\.\.16777216, got 0/],
    [{ maxBatch: 2 ** 25 }, /maxBatch must be an integer in 1\.\.16777216/],
    [{ maxDelayMs: -1 }, /maxDelayMs must be a number of milliseconds in 0\.\.2147483647, got -1/],
    [{ maxDelayMs: NaN }, /maxDelayMs must be a number of milliseconds/],
    [{ batchTimeoutMs: 0 }, /batchTimeoutMs must be a number of milliseconds in 1\.\.2147483647 or Infinity, got 0/],
    [{ batchTimeoutMs: 2 ** 31 }, /batchTimeoutMs must be a number of milliseconds in 1\.\.2147483647 or Infinity/],
    [{ verify: 'some' }, /verify must be 'sample', 'full', 'none', got 'some'/],
    [{ calibrate: 'yes' }, /calibrate must be true or false/],
    [{ calibrationCache: '' }, /calibrationCache must be a file path or false/],
    [{ faultBackoffMs: 0 }, /faultBackoffMs must be a number of milliseconds in 1\.\./],
    [{ fpga: 3 }, /fpga must be a string/],
    [{ verfy: 'full' }, /unknown option 'verfy' \(known: backends, fpga, workers, .*verify/],
    [{ backends: [] }, /backends must name at least one backend/],
    [{ backends: 'cpu-js' }, /backends must be 'auto' or an array of backend names, got 'cpu-js'/],
    [{ backends: ['cpu-js', 'cpu-js'] }, /item 1: backend 'cpu-js' is listed twice/],
    [null, /options must be an object, got null/],
  ])('createAccelerator(%j) is an InputError', async (opts, message) => {
    const err = await createAccelerator(opts as AcceleratorOptions).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
  });

  it('accepts batchTimeoutMs: Infinity (no timeout) and the bounds themselves', async () => {
    const a = await createAccelerator({ backends: ['cpu-js'], calibrate: false, batchTimeoutMs: Infinity, workers: 256, maxBatch: 1 });
    await a.close();
  });

  it('an unknown backend name is an InputError', async () => {
    await expect(createAccelerator({ backends: ['gpu' as 'webgpu'] })).rejects.toThrow(/unknown backend 'gpu'/);
  });

  it('an unavailable backend is listed with its reason', async () => {
    const a = await createAccelerator({ backends: ['fpga', 'cpu-js'], calibrate: false, fpga: '' });
    try {
      const fpga = a.backends.find((b) => b.name === 'fpga')!;
      expect(fpga.status).toBe('unavailable');
      expect(fpga.reason).toBeTruthy();
      await expect(a.keccak256([new Uint8Array(1)], { backend: 'fpga' })).rejects.toThrow(fpga.reason!);
    } finally {
      await a.close();
    }
  });

  it('plan() refuses a bad size or kernel, and a forced backend that cannot run the kernel', () => {
    expect(() => accel.plan('keccak256', 0)).toThrow(InputError);
    expect(() => accel.plan('keccak256', 1.5)).toThrow(/batchSize must be a positive integer, got 1\.5/);
    expect(() => accel.plan('sha256' as 'keccak256', 1)).toThrow(/unknown kernel 'sha256'/);
    expect(() => accel.plan('keccak256', 10, { backend: 'fpga' })).toThrow(BackendUnavailableError);
    expect(accel.plan('ecrecover', 10)).toEqual({ kernel: 'ecrecover', batchSize: 10, parts: [{ backend: 'cpu-js', items: 10, check: null }] });
  });

  it('a closed accelerator refuses calls', async () => {
    const a = await createAccelerator({ backends: ['cpu-js'], calibrate: false });
    await a.close();
    await expect(a.keccak256([new Uint8Array(1)])).rejects.toThrow(/closed/);
  });
});
