import type { PackedMessages, PackedSignatures, RecoveredKeys } from './packing.js';
import type { BackendInfo, BackendName, KernelName } from './types.js';

/**
 * What every compute backend implements. The runtime owns batching, routing, validation of
 * results and fallback; a backend only computes packed batches and reports faults by throwing.
 */
export interface Backend {
  readonly name: BackendName;
  /** Kernels this backend implements. */
  readonly kernels: readonly KernelName[];
  /** Device description for `info`. */
  describe(): Omit<BackendInfo, 'status' | 'calibratedRate'>;
  /** count × 32 digest bytes. */
  keccak256(batch: PackedMessages): Promise<Uint8Array>;
  /** Recovered keys; only called when `kernels` includes 'ecrecover'. */
  ecrecover?(batch: PackedSignatures): Promise<RecoveredKeys>;
  /**
   * Addresses (count × 20 bytes) in one pass on the device; optional: without it the runtime
   * composes ecrecover and keccak256.
   */
  recoverAddresses?(batch: PackedSignatures): Promise<{ addresses: Uint8Array; valid: Uint8Array }>;
  /** Largest batch the backend takes in one call, items; the runtime splits above it. */
  readonly maxBatch?: number;
  close(): Promise<void>;
}

/** Options a backend factory receives from createAccelerator. */
export interface BackendFactoryOptions {
  fpga?: string;
  workers?: number;
}

/**
 * Opens a backend, or throws BackendUnavailableError saying why it cannot be used here.
 */
export type BackendFactory = (opts: BackendFactoryOptions) => Promise<Backend>;
