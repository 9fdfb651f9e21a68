import { createBlock, type Block } from '@ethereumjs/block';
import type { EVMMockBlockchainInterface, ExecResult } from '@ethereumjs/evm';
import { EVMError } from '@ethereumjs/evm';
import { createAddressFromString, createCLRequest } from '@ethereumjs/util';
import { Bloom, type RunBlockOpts, type RunBlockResult, type RunTxResult, type VM } from '@ethereumjs/vm';
import { UnsupportedBlockError } from '../evm/errors.js';
import type { ExecuteBlockOptions, ExecuteBlockResult } from '../evm/executor.js';
import { fieldCheck, type FieldCheck } from '../evm/outcome.js';
import type { TxOutcome } from '../evm/protocol.js';
import type { SenderPrefetcher } from '../evm/sender-prefetch.js';
import type { RecoveredAuthorities } from '../evm/forks/authorities.js';
import type { SenderRecovery } from '../evm/senders.js';
import { StateManagerSource } from '../evm/state-source.js';
import { executeBlockVerified, REFERENCE_PATH, type Recheck } from '../evm/verified-execution.js';
import type { WorkerPool } from '../evm/worker-pool.js';

/**
 * `runBlock`'s options, plus the accelerator for sender recovery, the worker threads, and the
 * executor's fault limits (`readTimeoutMs`, `maxWorkerRestarts`, `workerStallMs`: see
 * {@link ExecuteBlockOptions}).
 */
export interface RunBlockAcceleratedOpts extends RunBlockOpts, Pick<ExecuteBlockOptions, 'readTimeoutMs' | 'maxWorkerRestarts' | 'workerStallMs'> {
  /** Batched sender recovery (an evm-accel Accelerator); without one, ethereumjs recovers each sender. */
  accelerator?: SenderRecovery;
  /** Worker threads for a pool created for this block alone; ignored with `pool`. */
  workers?: number;
  /** The worker pool (default: the process's warm pool, `WorkerPool.shared()`, started on first need). */
  pool?: WorkerPool;
  /** The path (see executeBlock's `mode`): `auto` (default) lets the measured cost model choose. */
  mode?: ExecuteBlockOptions['mode'];
  /**
   * Called when the accelerated run found the block invalid and it was re-run with senders from the
   * reference backend: `disagreed: 'accelerated'` means an accelerator gave a wrong result and the
   * block is valid after all (runBlockAccelerated then returns normally).
   */
  onRecheck?: (recheck: Recheck) => void;
  /**
   * The block's senders, already recovered — e.g. by a {@link SenderPrefetcher} that recovers the
   * next blocks' in one batch while this one executes. Like the accelerator's, they are not trusted
   * to call a block invalid (see `onRecheck`).
   */
  senders?: Uint8Array;
  /**
   * With `senders`: the block's EIP-7702 authorities recovered in the same batch
   * (`SenderPrefetcher.signatures(block)` gives both); without them the workers recover authorities.
   */
  authorities?: RecoveredAuthorities;
}

/** runBlock's options this drop-in does not implement; passing one is an error rather than a silent difference. */
const UNSUPPORTED = ['skipNonce', 'skipBalance', 'reportPreimages', 'blockAccessList'] as const;

/** runBlock rejects a header gas limit this large before anything else (it must fit an int64). */
const GAS_LIMIT_BOUND = 0x8000000000000000n;

/** The worker reports an EVM error by its message, which is all an EVMError holds. */
function execError(message: string): EVMError {
  return new EVMError(message as ConstructorParameters<typeof EVMError>[0]);
}

/** The parallel executor's per-transaction outcome in runTx's result shape. */
function toRunTxResult(o: TxOutcome, receipt: RunTxResult['receipt'], vm: VM): RunTxResult {
  const execResult: ExecResult = {
    executionGasUsed: o.totalGasSpent,
    returnValue: o.returnValue,
    logs: o.logs,
    ...(o.exceptionError !== undefined && { exceptionError: execError(o.exceptionError) }),
  };
  return {
    execResult,
    bloom: new Bloom(o.bloom, vm.common),
    amountSpent: o.amountSpent,
    receipt,
    totalGasSpent: o.totalGasSpent,
    blockGasSpent: o.blockGasSpent,
    gasRefund: o.gasRefund,
    minerValue: o.minerValue,
    ...(o.blobGasUsed !== undefined && { blobGasUsed: o.blobGasUsed }),
    ...(o.createdAddress !== undefined && { createdAddress: createAddressFromString(o.createdAddress) }),
  };
}

/** runBlock's message format: what failed, then the VM's and the block's description. */
function blockError(vm: VM, block: Block, message: string): Error {
  return new Error(`${message} (${vm.errorStr()} -> ${block.errorStr()})`);
}

/**
 * The block and header validation runBlock's applyBlock makes before execution, in its order and
 * with its messages: the int64 gas-limit bound, the header against `vm.blockchain` (as runBlock
 * asks it), then the block's own data (transactions, transaction trie, uncle hash, withdrawals
 * trie, optionally the RLP size limit).
 */
async function validateBlock(vm: VM, block: Block, opts: RunBlockOpts): Promise<void> {
  if (opts.skipBlockValidation === true) return;
  if (block.header.gasLimit >= GAS_LIMIT_BOUND) throw blockError(vm, block, 'Invalid block with gas limit greater than (2^63 - 1)');
  if (opts.skipHeaderValidation !== true) {
    const chain = vm.blockchain as EVMMockBlockchainInterface & { validateHeader?: (h: Block['header']) => Promise<void> };
    if (typeof chain.validateHeader !== 'function') throw new Error('cannot validate header: blockchain has no `validateHeader` method');
    await chain.validateHeader(block.header);
  }
  await block.validateData(false, true, opts.validateBlockSize ?? false);
}

/**
 * The executor's workers run mainnet's rules at the block's hardfork: a VM on another chain (its
 * CHAINID, its fork schedule) or with EIPs added to its hardfork would be served different
 * results than its runBlock gives, so it is refused rather than served wrongly.
 */
function assertMainnetRules(vm: VM): void {
  const c = vm.common;
  if (c.chainId() !== 1n || c.eips().length > 0) {
    throw new UnsupportedBlockError(
      `runBlockAccelerated runs mainnet rules; this VM has chain id ${c.chainId()}${c.eips().length ? ` and extra EIPs ${c.eips().join(', ')}` : ''}`,
    );
  }
}

/** The header checks runBlock makes after execution, in its order; its message for each field. */
const POST_CHECKS: { field: FieldCheck['field']; message: string; pick: (r: ExecuteBlockResult, b: Block) => [Uint8Array | bigint, Uint8Array | bigint] }[] = [
  // Made only where EIP-7685 is active (Prague on).
  { field: 'requestsHash', message: 'invalid requestsHash', pick: (r, b) => [r.requestsHash ?? new Uint8Array(), b.header.requestsHash ?? new Uint8Array()] },
  { field: 'receiptsRoot', message: 'invalid receiptTrie', pick: (r, b) => [r.receiptsRoot, b.header.receiptTrie] },
  { field: 'logsBloom', message: 'invalid bloom', pick: (r, b) => [r.logsBloom, b.header.logsBloom] },
  { field: 'gasUsed', message: 'invalid gasUsed', pick: (r, b) => [r.gasUsed, b.header.gasUsed] },
  { field: 'stateRoot', message: 'invalid block stateRoot', pick: (r, b) => [r.stateRoot, b.header.stateRoot] },
];

/**
 * A drop-in for @ethereumjs/vm's `runBlock`: the same options, checks, verdicts and result,
 * backed by the Block-STM executor on worker threads with senders recovered in one accelerator
 * batch. It validates exactly what runBlock validates, in its order and with its messages: the
 * int64 gas-limit bound, the header through `vm.blockchain.validateHeader`, the block's data
 * (`validateData`), the block's hardfork against the VM's, each transaction as runTx does (in
 * the workers: ethereumjs's own runTx), the block gas limit, and unless `generate`d the receipts
 * root, bloom, gas used, state root and (Prague on) requests hash against the header. BLOCKHASH is answered by the EVM's
 * blockchain (`vm.evm.blockchain`), state read from and written to the EVM's state manager, as
 * runBlock's EVM does. A block that fails a check after execution, or whose transaction is
 * rejected, is re-run with senders from the reference backend before it is called invalid (see
 * `onRecheck`). On any error the state is left as it was before the block.
 */
export async function runBlockAccelerated(vm: VM, opts: RunBlockAcceleratedOpts): Promise<RunBlockResult> {
  let { block } = opts;
  const unsupported = UNSUPPORTED.filter((k) => opts[k] !== undefined && opts[k] !== false);
  if (unsupported.length) throw new Error(`runBlockAccelerated: ${unsupported.join(', ')} not supported`);
  assertMainnetRules(vm);
  await vm._emit('beforeBlock', block);
  if (opts.setHardfork ?? vm['_setHardfork']) {
    vm.common.setHardforkBy({ blockNumber: block.header.number, timestamp: block.header.timestamp });
  }
  if (opts.root) await vm.stateManager.setStateRoot(opts.root, opts.clearCache ?? true);
  await validateBlock(vm, block, opts);
  // runTx makes this check on the block's first transaction; the workers run the block's own hardfork.
  if (opts.skipHardForkValidation !== true && block.transactions.length > 0 && block.common.hardfork() !== vm.common.hardfork()) {
    throw blockError(vm, block, 'block has a different hardfork than the vm');
  }

  const evm = vm.evm as typeof vm.evm & { blockchain?: EVMMockBlockchainInterface };
  const state = vm.evm.stateManager;
  const source = new StateManagerSource(state, evm.blockchain ?? vm.blockchain);
  const judge = (r: ExecuteBlockResult): FieldCheck[] =>
    opts.generate === true
      ? []
      : POST_CHECKS.filter((c) => c.field !== 'requestsHash' || block.common.isActivatedEIP(7685)).map((c) => fieldCheck(c.field, ...c.pick(r, block)));
  const { result: r, checks, recheck } = await executeBlockVerified(block, source, {
    target: state,
    judge,
    ...(opts.accelerator && { accelerator: opts.accelerator }),
    ...(opts.workers !== undefined && { workers: opts.workers }),
    ...(opts.pool && { pool: opts.pool }),
    ...(opts.mode && { mode: opts.mode }),
    ...(opts.senders && { senders: opts.senders }),
    ...(opts.authorities && { authorities: opts.authorities }),
    ...(opts.readTimeoutMs !== undefined && { readTimeoutMs: opts.readTimeoutMs }),
    ...(opts.maxWorkerRestarts !== undefined && { maxWorkerRestarts: opts.maxWorkerRestarts }),
    ...(opts.workerStallMs !== undefined && { workerStallMs: opts.workerStallMs }),
  });
  if (recheck) opts.onRecheck?.(recheck);
  const bad = checks.find((c) => !c.match);
  if (bad) {
    // Both paths disagree with the header (the state is back at the pre-state): runBlock's verdict.
    const c = POST_CHECKS.find((p) => p.field === bad.field)!;
    const what = bad.field === 'stateRoot' ? `${c.message}, got: ${bad.got}, want: ${bad.expected}` : c.message;
    throw blockError(vm, block, `${what} [the re-run with ${REFERENCE_PATH} agrees]`);
  }
  const result: RunBlockResult = {
    receipts: r.receipts,
    results: r.txs.map((o, i) => toRunTxResult(o, r.receipts[i]!, vm)),
    stateRoot: r.stateRoot,
    gasUsed: r.gasUsed,
    logsBloom: r.logsBloom,
    receiptsRoot: r.receiptsRoot,
    ...(r.requestsHash && { requestsHash: r.requestsHash, requests: r.requests!.map((b) => createCLRequest(b)) }),
  };
  if (opts.generate === true) {
    // As runBlock: the afterBlock event carries the block with the generated header fields.
    const generated = { stateRoot: r.stateRoot, logsBloom: r.logsBloom, gasUsed: r.gasUsed, receiptTrie: r.receiptsRoot, transactionsTrie: await block.genTxTrie(), ...(r.requestsHash && { requestsHash: r.requestsHash }) };
    block = createBlock({ ...block, header: { ...block.header, ...generated } } as Parameters<typeof createBlock>[0], { common: vm.common });
  }
  await vm._emit('afterBlock', { ...result, block });
  return result;
}
