import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createAccelerator } from '../../src/index.js';
import { signatureCases } from '../helpers/conformance.js';
import { SWIFTSHADER_ICD, useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

// createAccelerator where a software GPU is present (SwiftShader, as the set-up script configures
// a machine without a GPU): it must not wait for that GPU's measurement, which takes tens of
// seconds of CPU and would never make routing pick it over cpu-native anyway.

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : null);
const dir = mkdtempSync(join(tmpdir(), 'evm-accel-startup-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!existsSync(SWIFTSHADER_ICD))('resolves without measuring SwiftShader, and answers the first batch right', async () => {
  useSwiftShaderIfUnset();
  const cache = join(dir, 'calibration.json');
  const cold = await createAccelerator({ backends: ['webgpu', 'cpu-native', 'cpu-js'], calibrationCache: cache });
  try {
    // Structural: the software GPU has no figures, so nothing measured it before the accelerator
    // was handed out; it is opening in the background or already in rotation as a fallback.
    const webgpu = () => cold.backends.find((b) => b.name === 'webgpu')!;
    expect(webgpu().calibration).toBeUndefined();
    expect(cold.backends.find((b) => b.name === 'cpu-native')!.calibration?.source).toBe('measured');
    const msgs = Array.from({ length: 500 }, (_, i) => new Uint8Array([i, i >> 8, 9]));
    (await cold.keccak256(msgs)).forEach((d, i) => expect(hex(d)).toBe(hex(keccak_256(msgs[i]!))));
    const cases = signatureCases(100, 3);
    (await cold.recoverAddresses(cases.map((c) => c.sig))).forEach((a, i) => expect(hex(a)).toBe(cases[i]!.want ? hex(keccak_256(cases[i]!.want!).subarray(12)) : null));
    expect(cold.stats().backends.webgpu.items).toEqual({ keccak256: 0, ecrecover: 0 });
    await cold.ready();
    expect(webgpu().status, webgpu().reason).toBe('ready');
    expect(webgpu().kind).toBe('software');
    // Beside cpu-native it stays unmeasured: routing would never put it first.
    expect(webgpu().calibration).toBeUndefined();
  } finally {
    await cold.close();
  }

  // With the host's figures cached, nothing at all is measured before resolving. 2 s is generous:
  // this machine is shared by several sessions at once; the README gives a quiet machine's figure.
  const t0 = performance.now();
  const warm = await createAccelerator({ backends: ['webgpu', 'cpu-native', 'cpu-js'], calibrationCache: cache });
  const ms = performance.now() - t0;
  try {
    expect(warm.backends.filter((b) => b.calibration).map((b) => [b.name, b.calibration!.source])).toEqual([
      ['cpu-native', 'cache'],
      ['cpu-js', 'cache'],
    ]);
    expect(ms).toBeLessThan(2000);
  } finally {
    await warm.close();
  }
});
