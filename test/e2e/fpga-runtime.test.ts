import { describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createAccelerator } from '../../src/index.js';
import { SeededRandom, keccakBoundaryLengths } from '../helpers/random.js';

// The FPGA path through the public API: the simulated RTL as the preferred backend, each fault
// knob survived by the runtime's fallback with every digest correct and the fault counted.

const hex = (b: Uint8Array | undefined) => Buffer.from(b!).toString('hex');

function corpus(n: number, seed: number): Uint8Array[] {
  const rnd = new SeededRandom(seed);
  const msgs = keccakBoundaryLengths(1000).map((len) => rnd.bytes(len));
  while (msgs.length < n) msgs.push(rnd.bytes(rnd.int(1001)));
  return msgs;
}

describe.each(['pipelined', 'iterative'])('public API on the simulated FPGA, %s core', (core) => {
  it('hashes 2k+ messages of 0..1000 bytes exactly as @noble/hashes', async () => {
    const accel = await createAccelerator({ backends: ['fpga'], fpga: `sim:core=${core}`, calibrate: false });
    try {
      expect(accel.backends[0]).toMatchObject({ name: 'fpga', status: 'ready' });
      const msgs = corpus(2100, 5);
      const got = await accel.keccak256(msgs, { backend: 'fpga' });
      msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
      const s = accel.stats().backends.fpga;
      expect(s.items.keccak256).toBe(msgs.length);
      expect(s.fallbacks).toBe(0);
    } finally {
      await accel.close();
    }
  });
});

describe('fault knobs: the batch is re-run on the next backend, nothing lost', () => {
  it.each([
    ['sim:stall-after=40,timeout-cycles=4000', /EAF_E_TIMEOUT/],
    ['sim:corrupt=7', /EAF_E_CORRUPT/],
    ['sim:drop=7', /EAF_E_DROPPED/],
    ['sim:flip=7', /EAF_E_CORE/],
    ['sim:miscompute', /reference spot check/],
  ])('%s', async (target, error) => {
    const accel = await createAccelerator({ backends: ['fpga', 'cpu-native', 'cpu-js'], fpga: target, calibrate: false });
    try {
      const msgs = corpus(300, 11);
      const got = await accel.keccak256(msgs);
      msgs.forEach((m, i) => expect(hex(got[i])).toBe(hex(keccak_256(m))));
      const s = accel.stats().backends;
      expect(s.fpga.fallbacks).toBe(1);
      expect(s.fpga.lastError).toMatch(error);
      expect(s['cpu-native'].items.keccak256 + s['cpu-js'].items.keccak256).toBe(msgs.length);
    } finally {
      await accel.close();
    }
  });
});

it('one digest wrong inside the card, in a 10,000-item batch: caught by the duplicate core, the batch re-run, nothing wrong reaches the caller', async () => {
  const accel = await createAccelerator({ backends: ['fpga', 'cpu-native', 'cpu-js'], fpga: 'sim:flip=6543', calibrate: false });
  try {
    const msgs = corpus(10_000, 23);
    const got = await accel.keccak256(msgs);
    const wrong = msgs.filter((m, i) => hex(got[i]) !== hex(keccak_256(m))).length;
    expect(wrong).toBe(0);
    const s = accel.stats().backends;
    expect(s.fpga.errors).toBe(1);
    expect(s.fpga.lastError).toMatch(/EAF_E_CORE: core check: the card's duplicated cores disagreed on the digest for tag 6543/);
    expect(s['cpu-native'].items.keccak256 + s['cpu-js'].items.keccak256).toBe(msgs.length);
  } finally {
    await accel.close();
  }
});
