/** Names of the compute backends, in the order `'auto'` prefers them. */
export type BackendName = 'webgpu' | 'fpga' | 'cpu-native' | 'cpu-js';

/** Every backend name, in `'auto'` preference order. */
export const ALL_BACKENDS: readonly BackendName[] = ['webgpu', 'fpga', 'cpu-native', 'cpu-js'];

/** The kernels a backend may implement. */
export type KernelName = 'keccak256' | 'ecrecover';

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
  /** `ready`: in rotation; `unavailable`: never came up; `failed`: taken out after repeated faults. */
  status: 'ready' | 'unavailable' | 'failed';
  /** Kernels this backend implements. */
  kernels: KernelName[];
  /** Why the backend is unavailable or failed; absent when ready. */
  reason?: string;
  /** Measured throughput per kernel from calibration, items per second. */
  calibratedRate?: Partial<Record<KernelName, number>>;
  /** Backend-specific details (adapter limits, core variant, clock...). */
  details?: Record<string, string | number | boolean>;
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
  /** Faults seen (throws, timeouts, malformed results). */
  errors: number;
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
  /** Per-batch timeout before a backend's batch is abandoned and re-run elsewhere, ms (default 30000). */
  batchTimeoutMs?: number;
  /** Skip calibration and keep the given order (tests). Default false. */
  calibrate?: boolean;
}

/** The accelerator: batched kernels over the best backend present, with fallback. */
export interface Accelerator {
  /** Backends probed, in routing order. */
  readonly backends: BackendInfo[];
  /** Keccak-256 of each message. */
  keccak256(msgs: Uint8Array[], opts?: CallOptions): Promise<Uint8Array[]>;
  /** 64-byte public key (x‖y) per signature, or null where recovery fails. */
  ecrecover(sigs: Signature[], opts?: CallOptions): Promise<(Uint8Array | null)[]>;
  /** 20-byte Ethereum address per signature, or null where recovery fails. */
  recoverAddresses(sigs: Signature[], opts?: CallOptions): Promise<(Uint8Array | null)[]>;
  /** Counters per backend. */
  stats(): AcceleratorStats;
  /** Releases devices, threads and native handles. */
  close(): Promise<void>;
}
