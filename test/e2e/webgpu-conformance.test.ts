import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccelerator, type Accelerator } from '../../src/index.js';
import { kernelConformance } from '../helpers/conformance.js';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

// The suite every backend passes, on the WebGPU backend through the public API. SwiftShader takes
// tens of milliseconds per recovery, so CI runs it sized down; on a real GPU
// (EVM_ACCEL_SWIFTSHADER=0 WEBGPU_CONFORMANCE_FULL=1) it runs at the issues' sizes.
const full = process.env.WEBGPU_CONFORMANCE_FULL === '1';

let accel: Accelerator;
beforeAll(async () => {
  useSwiftShaderIfUnset();
  // The first recovery batch compiles the shader: minutes on SwiftShader on a busy host. A timeout
  // would let cpu-js answer in webgpu's place, which the suite counts as a failure.
  accel = await createAccelerator({ backends: ['webgpu'], calibrate: false, batchTimeoutMs: 600_000 });
});
afterAll(() => accel?.close());

it('opens the WebGPU backend with both kernels', () => {
  const webgpu = accel.backends.find((b) => b.name === 'webgpu')!;
  expect(webgpu.status, webgpu.reason).toBe('ready');
  expect(webgpu.kernels).toEqual(['keccak256', 'ecrecover']);
});

kernelConformance('webgpu', () => accel, {
  keccakMessages: full ? 200_000 : 3000,
  keccakMaxLength: full ? 5000 : 1100,
  // The kernel's own suite (webgpu-secp256k1.test.ts) runs the 20k-signature and all-mainnet sets.
  signatures: full ? 2000 : 48,
  wycheproof: full,
  mainnet: false,
});
