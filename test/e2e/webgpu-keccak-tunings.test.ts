// Keccak-256 on a real WebGPU device (SwiftShader) under every lane layout and round style, other
// workgroup sizes and tiny chunks (many dispatches, more in flight, no length sort): digests must
// equal @noble/hashes. Each tuning is its own compiled pipeline (the unrolled ones take SwiftShader
// ~30 s each to compile).
import { describe, expect, it } from 'vitest';
import { boundaryBatch, randomBatch } from '../helpers/keccak-batches.js';
import { keccakMismatches } from '../helpers/keccak-oracle.js';
import { useSwiftShaderIfUnset } from '../helpers/swiftshader.js';

useSwiftShaderIfUnset();
const { WebGpuBackend } = await import('../../src/backends/webgpu/webgpu-backend.js');
const { resolveWebGpuOptions } = await import('../../src/backends/webgpu/config.js');
type Tuning = import('../../src/backends/webgpu/config.js').KeccakTuning;

describe('webgpu keccak256 under other tunings', () => {
  const tunings: Partial<Tuning>[] = [
    // The other lane layout at the largest portable workgroup size.
    { lanes: 'interleaved', workgroupSize: 256 },
    // Unrolled rounds, tiny chunks: a batch becomes many dispatches through 3 buffer sets, unsorted.
    { rounds: 'unrolled', workgroupSize: 32, chunkMessages: 777, chunkBytes: 40_000, inFlight: 3, sortByLength: false },
    { lanes: 'interleaved', rounds: 'unrolled', workgroupSize: 128 },
  ];
  for (const tuning of tunings) {
    it(`matches noble with ${JSON.stringify(tuning)}`, async () => {
      const backend = await WebGpuBackend.open(resolveWebGpuOptions({ keccak: tuning }, {}));
      try {
        for (const batch of [boundaryBatch(8), randomBatch(8000, 1500, 31)]) {
          expect(keccakMismatches(batch, await backend.keccak256(batch))).toEqual([]);
        }
        // Mixed lengths take the length-sorted path exactly when sorting is enabled.
        const { stats } = await backend.kernel('keccak256');
        expect(stats.sortedDispatches > 0).toBe(backend.options.keccak.sortByLength);
        expect(stats.dispatches).toBeGreaterThan(tuning.chunkMessages ? 10 : 1);
      } finally {
        await backend.close();
      }
    });
  }
});
