/**
 * The parallel EVM: Block-STM execution of a block on worker threads, identical to ethereumjs's
 * sequential runBlock. See executor.ts for the algorithm and view-state.ts for how ethereumjs's
 * own runTx runs against the multi-version memory.
 */
export { executeBlock, FALLBACK_SPAN, FALLBACK_WINDOW, type ExecuteBlockOptions, type ExecuteBlockResult } from './executor.js';
export { WorkerPool, defaultWorkers } from './worker-pool.js';
export { InMemoryStateSource, StateManagerSource, type SourceSnapshot, type StateSource } from './state-source.js';
export { recoverSenders, recoverSignatures, type RecoveredSignatures, type SenderRecovery } from './senders.js';
export { SenderPrefetcher } from './sender-prefetch.js';
export { StateSourceError, TxError, UnsupportedBlockError, WorkerFailureError } from './errors.js';
export { CostModel, defaultCostModel, type ExecutionPath } from './cost-model.js';
export { runBlockSequential } from './sequential.js';
export {
  checkAgainstHeader,
  uncheckedAgainstHeader,
  sameOutcome,
  BYZANTIUM_BLOCK,
  type BlockOutcome,
  type CheckedField,
  type FieldCheck,
  type UncheckedField,
} from './outcome.js';
export { checkFixtureBlock, type FixtureChecks } from './fixture-checks.js';
export { executeBlockVerified, type Recheck, type VerifiedExecuteOptions, type VerifiedExecution } from './verified-execution.js';
export { referenceRecovery } from './reference-recovery.js';
export { loadFixture, listFixtures, type BlobSchedule, type BlockFixture, type ExpectedOutcome, type PreState, type PreStateAccount } from './fixture.js';
export { blockFromRpc, fixtureBlock, FixtureBlockHashes, loadKzgOnce, mainnetCommon } from './chain.js';
export { loadPreState, stateManagerFromPreState } from './pre-state.js';
export { replayFixture, replayFixtures, ReplayError, type ReplayOptions, type ReplayReport } from './replay.js';
export type { TxOutcome } from './protocol.js';
