import { afterAll, beforeAll } from 'vitest';
import { createAccelerator, type Accelerator } from '../../src/index.js';
import { kernelConformance } from '../helpers/conformance.js';

let accel: Accelerator;
beforeAll(async () => {
  accel = await createAccelerator({ backends: ['cpu-js'], calibrate: false });
});
afterAll(() => accel.close());

// The JS backend wraps the reference itself, so this mainly proves the runtime's packing, batching
// and unpacking are exact; Wycheproof also proves the reference's edge cases (mainnet senders: the
// native and device suites, where 7k recoveries are cheap).
kernelConformance('cpu-js', () => accel, { keccakMessages: 5000, keccakMaxLength: 2000, signatures: 300, wycheproof: true, mainnet: false });
