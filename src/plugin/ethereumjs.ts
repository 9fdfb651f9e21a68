/**
 * evm-accel for @ethereumjs nodes: `customCrypto` hooks and a drop-in for `runBlock`.
 *
 * ```ts
 * const accel = await createAccelerator();
 * const vm = await createVM({ common: new Common({ chain: Mainnet, customCrypto: acceleratedCrypto(accel) }) });
 * const result = await runBlockAccelerated(vm, { block, accelerator: accel });
 * ```
 * @packageDocumentation
 */
export { acceleratedCrypto, type AcceleratedCrypto } from './crypto-hooks.js';
export { runBlockAccelerated, type RunBlockAcceleratedOpts } from './run-block.js';
export type { Recheck } from '../evm/verified-execution.js';
export { WorkerPool } from '../evm/worker-pool.js';
export { SenderPrefetcher } from '../evm/sender-prefetch.js';
export type { RecoveredSignatures } from '../evm/senders.js';
export { StateSourceError, WorkerFailureError } from '../evm/errors.js';
