/**
 * evm-accel: batched Keccak-256 and secp256k1 recovery on WebGPU, FPGA and native CPU kernels.
 * @packageDocumentation
 */
export { createAccelerator } from './runtime/accelerator.js';
export { InputError, BackendUnavailableError, BackendFaultError, AllBackendsFailedError } from './runtime/errors.js';
export type {
  Accelerator,
  AcceleratorOptions,
  AcceleratorStats,
  BackendCalibration,
  BackendInfo,
  BackendName,
  BackendStats,
  BatchPlan,
  CallOptions,
  CheckPlan,
  KernelCalibration,
  KernelName,
  PlannedPart,
  RouteSegment,
  RoutingInfo,
  Signature,
  VerifyLevel,
} from './runtime/types.js';
export {
  executeBlock,
  executeBlockVerified,
  WorkerPool,
  InMemoryStateSource,
  StateManagerSource,
  TxError,
  UnsupportedBlockError,
  StateSourceError,
  WorkerFailureError,
  type StateSource,
  type ExecuteBlockOptions,
  type ExecuteBlockResult,
  type Recheck,
  type VerifiedExecuteOptions,
  type VerifiedExecution,
} from './evm/index.js';
