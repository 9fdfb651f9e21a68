import type { GpuContextOptions } from './device.js';
import type { RoundStyle } from './keccak-codegen.js';

/** How Keccak's 64-bit lanes live inside the permutation (see shaders/keccak/lanes_*.wgsl). */
export type LaneLayout = 'plain' | 'interleaved';

/** Tuning of the Keccak kernel. Defaults are set by {@link resolveWebGpuOptions}. */
export interface KeccakTuning {
  /** Lane layout inside the permutation. */
  lanes: LaneLayout;
  /** The 24 rounds as a loop (small code, ι from a table) or unrolled (ι as literals, 13× the code). */
  rounds: RoundStyle;
  /** Invocations per workgroup (the WGSL override WORKGROUP_SIZE). */
  workgroupSize: number;
  /** Most messages per dispatch; larger batches are split into chunks that overlap. */
  chunkMessages: number;
  /** Most message bytes per dispatch (a single longer message still gets a chunk of its own). */
  chunkBytes: number;
  /** Chunks in flight at once (buffer sets in the pool): 3 = one filling its staging buffer, one computing, one read back. */
  inFlight: number;
  /** Sort a chunk's messages by block count when their lengths differ enough to stall SIMD groups. */
  sortByLength: boolean;
  /** Record GPU timestamps around each dispatch when the device supports them (benchmarks). */
  profile: boolean;
}

/** Tuning of the secp256k1 recovery kernel. */
export interface RecoverTuning {
  /** Most signatures per dispatch (further capped by the device's limits). */
  chunkItems: number;
  /** Chunks in flight at once (buffer sets in the pool). */
  inFlight: number;
  /**
   * Invocations per workgroup of the two passes that share one inversion per workgroup (the WGSL
   * override BATCH_SIZE): a power of two, at most what the device's workgroup memory holds (80
   * bytes a lane).
   */
  batchWorkgroupSize: number;
  /** Invocations per workgroup of the point multiplication (the WGSL override MULTIPLY_SIZE). */
  multiplyWorkgroupSize: number;
}

/** Everything the WebGPU backend can be opened with. */
export interface WebGpuOptions extends GpuContextOptions {
  keccak: KeccakTuning;
  ecrecover: RecoverTuning;
  /** A readback not completed after this long is a fault (ms). */
  mapTimeoutMs: number;
}

const DEFAULT_TUNING: KeccakTuning = {
  lanes: 'plain',
  rounds: 'loop',
  workgroupSize: 64,
  chunkMessages: 1 << 18,
  chunkBytes: 32 << 20,
  inFlight: 3,
  sortByLength: true,
  profile: false,
};

const DEFAULT_RECOVER_TUNING: RecoverTuning = { chunkItems: 1 << 20, inFlight: 2, batchWorkgroupSize: 128, multiplyWorkgroupSize: 64 };

/** Defaults, overridden by the environment (for tuning on a GPU without code changes), then by `opts`. */
export function resolveWebGpuOptions(
  opts: Partial<Omit<WebGpuOptions, 'keccak' | 'ecrecover'>> & { keccak?: Partial<KeccakTuning>; ecrecover?: Partial<RecoverTuning> } = {},
  env: NodeJS.ProcessEnv = process.env,
): WebGpuOptions {
  const fromEnv: Partial<KeccakTuning> = {};
  const lanes = env.EVM_ACCEL_WEBGPU_LANES;
  if (lanes !== undefined) {
    if (lanes !== 'plain' && lanes !== 'interleaved') {
      throw new RangeError(`EVM_ACCEL_WEBGPU_LANES must be plain or interleaved, got ${lanes}`);
    }
    fromEnv.lanes = lanes;
  }
  const rounds = env.EVM_ACCEL_WEBGPU_ROUNDS;
  if (rounds !== undefined) {
    if (rounds !== 'loop' && rounds !== 'unrolled') {
      throw new RangeError(`EVM_ACCEL_WEBGPU_ROUNDS must be loop or unrolled, got ${rounds}`);
    }
    fromEnv.rounds = rounds;
  }
  const wg = env.EVM_ACCEL_WEBGPU_WORKGROUP;
  if (wg !== undefined) fromEnv.workgroupSize = positiveInt('EVM_ACCEL_WEBGPU_WORKGROUP', wg);
  const keccak = { ...DEFAULT_TUNING, ...fromEnv, ...opts.keccak };
  const timeout = env.EVM_ACCEL_WEBGPU_TIMEOUT_MS;
  return {
    ...opts,
    keccak,
    ecrecover: { ...DEFAULT_RECOVER_TUNING, ...opts.ecrecover },
    mapTimeoutMs: opts.mapTimeoutMs ?? (timeout !== undefined ? positiveInt('EVM_ACCEL_WEBGPU_TIMEOUT_MS', timeout) : 60_000),
  };
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return n;
}
