// Dawn must let a process that used WebGPU exit cleanly. A child process opens and closes 50
// accelerators on the WebGPU backend (each acquires a device), collecting garbage after each; every
// BATCH_EVERY-th one also hashes a batch, and every other of those is closed with the batch still
// running. Then the child exits on its own: exit code 0. Before the fix (a Dawn instance freed by
// the garbage collector while objects made from it were alive) it died at exit in 3 runs of 3,
// with SIGSEGV or std::system_error; see src/backends/webgpu/dawn.ts.
// SwiftShader compiles the Keccak pipeline in seconds, so CI runs a batch on every 10th
// accelerator; on a GPU (scripts/gpu-check.sh) WEBGPU_TEARDOWN_BATCH_EVERY=1 runs one on each.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

const INDEX = new URL('../../dist/src/index.js', import.meta.url).pathname;
const ACCELERATORS = 50;
const BATCH_EVERY = Number(process.env.WEBGPU_TEARDOWN_BATCH_EVERY ?? 10);

const CHILD = `
const { createAccelerator } = await import(process.env.EVM_ACCEL_INDEX);
const { keccak_256 } = await import('@noble/hashes/sha3.js');
const hex = (b) => Buffer.from(b).toString('hex');
const msgs = Array.from({ length: 300 }, (_, i) => new Uint8Array(i).fill(i & 0xff));
for (let i = 0; i < ${ACCELERATORS}; i++) {
  const accel = await createAccelerator({ backends: ['webgpu'], calibrate: false });
  const webgpu = accel.backends.find((b) => b.name === 'webgpu');
  if (webgpu?.status !== 'ready') throw new Error('webgpu is ' + webgpu?.status + ': ' + webgpu?.reason);
  if (i % ${BATCH_EVERY} === 0) {
    const batch = accel.keccak256(msgs, { backend: 'webgpu' });
    if ((i / ${BATCH_EVERY}) % 2 === 0) {
      const digests = await batch;
      if (hex(digests[299]) !== hex(keccak_256(msgs[299]))) throw new Error('wrong digest');
    }
    await accel.close();
    // Closed while running: the batch may complete or fail, but never crash the process.
    await batch.catch(() => undefined);
  } else {
    await accel.close();
  }
  globalThis.gc();
}
process.stdout.write('closed ${ACCELERATORS}\\n');
`;

it(`a process that opened and closed ${ACCELERATORS} WebGPU accelerators exits with code 0`, async () => {
  expect(existsSync(INDEX), 'dist/ is built (scripts/setup.sh build)').toBe(true);
  useSwiftShaderIfUnset();
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD], {
    env: { ...process.env, EVM_ACCEL_INDEX: INDEX },
    maxBuffer: 16 << 20,
  }).catch((e: { code: number | null; signal: string | null; stdout: string; stderr: string }) => {
    throw new Error(`child exited with code ${e.code} signal ${e.signal}:\n${e.stderr.slice(-4000)}`);
  });
  expect(stdout).toBe(`closed ${ACCELERATORS}\n`);
  expect(stderr).not.toMatch(/Segmentation|Aborted|terminate called|std::system_error/);
});
