/** Names of the compute backends, in the order `'auto'` prefers them. */
export type BackendName = 'webgpu' | 'fpga' | 'cpu-native' | 'cpu-js';

/** Every backend name, in `'auto'` preference order. */
export const ALL_BACKENDS: readonly BackendName[] = ['webgpu', 'fpga', 'cpu-native', 'cpu-js'];

/** The kernels a backend may implement. */
export type KernelName = 'keccak256' | 'ecrecover';

/**
 * How much of each batch is recomputed on an independent backend before its result is returned:
 * `'sample'` a number of random items that grows with the batch (see {@link CheckPlan}), `'full'`
 * every item, `'none'` nothing (benchmarks only).
 */
export type VerifyLevel = 'sample' | 'full' | 'none';

/** A secp256k1 signature over a 32-byte message hash, as Ethereum carries it. */
export interface Signature {
  /** 32-byte message hash (values ≥ n are reduced mod n, as libsecp256k1 and noble do). */
  hash: Uint8Array;
  /** 32-byte big-endian r. */
  r: Uint8Array;
  /** 32-byte big-endian s. */
  s: Uint8Array;
  /** Recovery id: parity of R's y coordinate. */
  recovery: 0 | 1;
}

/** What a backend reports about itself in {@link Accelerator.backends} and `evm-accel info`. */
export interface BackendInfo {
  name: BackendName;
  /** Human-readable device: CPU model, GPU adapter, FPGA transport and core. */
  device: string;
  /**
   * `hardware`: runs natively on a real processor (CPU threads, a GPU, an FPGA board).
   * `software`: emulated or interpreted (SwiftShader, a Verilator simulation, the JS reference).
   * Routing never lets a software backend displace a hardware one.
   */
  kind: 'hardware' | 'software';
  /**
   * `ready`: in rotation; `calibrating`: being opened or measured in the background, not yet in
   * rotation; `unavailable`: never came up; `failed`: taken out after repeated faults (probed again
   * after a back-off).
   */
  status: 'ready' | 'calibrating' | 'unavailable' | 'failed';
  /** Kernels this backend implements. */
  kernels: KernelName[];
  /** Why the backend is unavailable or failed; absent when ready. */
  reason?: string;
  /** Measured throughput per kernel from calibration (large batches), items per second. */
  calibratedRate?: Partial<Record<KernelName, number>>;
  /** What calibration measured, and whether it came from this machine's calibration cache. */
  calibration?: BackendCalibration;
  /** Backend-specific details (adapter limits, core variant, clock...). */
  details?: Record<string, string | number | boolean>;
}

/** A backend's cost for one kernel: a batch of n items takes about `latencyMs + n / itemsPerSecond × 1000` ms. */
export interface KernelCalibration {
  /** Fixed cost of one batch (dispatch, transfer set-up, readback), milliseconds. */
  latencyMs: number;
  /** Marginal throughput, items per second. */
  itemsPerSecond: number;
}

/** Calibration figures of one backend. */
export interface BackendCalibration {
  /** `measured` in this process, or read from the per-machine calibration `cache`. */
  source: 'measured' | 'cache';
  /** When the figures were measured (ISO 8601). */
  measuredAt: string;
  kernels: Partial<Record<KernelName, KernelCalibration>>;
}

/** Counters for one backend since the accelerator was created. */
export interface BackendStats {
  /** Items completed successfully, per kernel. */
  items: Record<KernelName, number>;
  /** Batches completed successfully. */
  batches: number;
  /** Wall time spent in successful batches, milliseconds. */
  timeMs: number;
  /** Batches this backend failed that were re-run on another backend. */
  fallbacks: number;
  /** Faults seen (throws, timeouts, malformed or wrong results, calibration faults). */
  errors: number;
  /** Items of this backend's results recomputed on an independent backend (sampled, re-checked nulls, full checks). */
  checkedItems: number;
  /** The last fault's message. */
  lastError?: string;
}

/** Counters per backend plus queue totals. */
export interface AcceleratorStats {
  backends: Record<BackendName, BackendStats>;
  /** Calls received through the public API. */
  calls: number;
  /** Coalesced batches dispatched. */
  dispatches: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Force one backend (tests, benchmarks). Throws BackendUnavailableError when it is not available. */
  backend?: BackendName;
}

/** Options of {@link createAccelerator}. */
export interface AcceleratorOptions {
  /** Backends to use, in order of preference; `'auto'` probes webgpu, fpga, cpu-native, cpu-js. */
  backends?: 'auto' | BackendName[];
  /** FPGA target: `'sim'`, `'sim:<knobs>'`, `'xdma:/dev/xdma0'`; default from `EVM_ACCEL_FPGA`. */
  fpga?: string;
  /** CPU pool size for the native backend; default: available cores. */
  workers?: number;
  /** Largest coalesced batch, items (default 65536). */
  maxBatch?: number;
  /** How long a call may wait for others to coalesce with, ms (default 0: next tick). */
  maxDelayMs?: number;
  /** Per-batch timeout before a backend's batch is abandoned and re-run elsewhere, ms (default 60000; `Infinity`: none). */
  batchTimeoutMs?: number;
  /**
   * `false`: skip calibration, open every backend before resolving and keep the given order
   * (tests, forced backends). Default true: the host CPU backends are calibrated (or read from the
   * cache) before `createAccelerator` resolves, devices in the background.
   */
  calibrate?: boolean;
  /** How results are checked (default `'sample'`). */
  verify?: VerifyLevel;
  /**
   * Calibration cache file, or `false` for none. Default
   * `$XDG_CACHE_HOME/evm-accel/calibration.json` (`~/.cache/...` without XDG_CACHE_HOME).
   */
  calibrationCache?: string | false;
  /**
   * How long a backend taken out of rotation waits before it is probed again, ms (default 5000;
   * doubled each further time it is taken out, up to 5 minutes).
   */
  faultBackoffMs?: number;
}

/** Which backends a batch of a given size goes to, from `from` items up (one, or several sharing it). */
export interface RouteSegment {
  from: number;
  backends: BackendName[];
}

/** Where batches of each kernel go by size, and how they are checked: `evm-accel info` prints it. */
export interface RoutingInfo {
  verify: VerifyLevel;
  /** Per kernel, segments in increasing `from`: a new segment starts at each crossover batch size. */
  kernels: Record<KernelName, RouteSegment[]>;
}

/**
 * How one part of a batch is checked. Under `'sample'`, `items` is
 * `max(1, ⌊(2% of the part's estimated time − the checker's latency) ÷ the checker's time per item⌋)`,
 * at most the part's size, drawn uniformly at random without replacement: a single wrong item is
 * caught with probability `detection = items / batchItems`.
 */
export interface CheckPlan {
  /** The independent backend that recomputes the items (`reference`: the in-process JS reference). */
  by: BackendName | 'reference';
  /** Items recomputed. */
  items: number;
  /** Probability that one wrong item among the part's is caught. */
  detection: number;
}

/** One part of a planned batch. */
export interface PlannedPart {
  backend: BackendName;
  items: number;
  /** From the backend's calibration, where it has one. */
  estimatedMs?: number;
  /** `null` when nothing is checked (`verify: 'none'`, or the part runs on cpu-js, the reference itself). */
  check: CheckPlan | null;
}

/** Where a batch of a given size would go now and how it would be checked. */
export interface BatchPlan {
  kernel: KernelName;
  batchSize: number;
  parts: PlannedPart[];
}

/** The accelerator: batched kernels over the best backend present, with fallback. */
export interface Accelerator {
  /** Backends probed, in routing order. */
  readonly backends: BackendInfo[];
  /** Keccak-256 of each message. */
  keccak256(msgs: Uint8Array[], opts?: CallOptions): Promise<Uint8Array[]>;
  /**
   * Keccak-256 of messages packed by the caller: message i is `data[offsets[2i] ..
   * offsets[2i] + offsets[2i+1])`, messages in order and not overlapping. The batch goes to the
   * backends as it is (no per-message work in JavaScript) and the digests come back in one
   * buffer, digest i at bytes 32·i .. 32·i + 32. Throws InputError for a malformed table.
   */
  keccak256Packed(data: Uint8Array, offsets: Uint32Array, opts?: CallOptions): Promise<Uint8Array>;
  /** 64-byte public key (x‖y) per signature, or null where recovery fails. */
  ecrecover(sigs: Signature[], opts?: CallOptions): Promise<(Uint8Array | null)[]>;
  /** 20-byte Ethereum address per signature, or null where recovery fails. */
  recoverAddresses(sigs: Signature[], opts?: CallOptions): Promise<(Uint8Array | null)[]>;
  /** Counters per backend. */
  stats(): AcceleratorStats;
  /**
   * Resolves, with `backends`, once the backends opened or measured in the background have settled.
   * `{ all: true }` also measures emulated devices that routing never picks while a hardware
   * backend has their kernels (SwiftShader, the Verilator model): slow, for `info`.
   */
  ready(opts?: { all?: boolean }): Promise<BackendInfo[]>;
  /** Routing by batch size per kernel (crossovers), from the current calibration. */
  routing(): RoutingInfo;
  /**
   * Where a batch of `batchSize` items would go now, and how each part would be checked. Throws
   * BackendUnavailableError when `opts.backend` cannot run the kernel, InputError on a bad size.
   */
  plan(kernel: KernelName, batchSize: number, opts?: CallOptions): BatchPlan;
  /** Releases devices, threads and native handles. */
  close(): Promise<void>;
}
