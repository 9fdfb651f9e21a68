import type { EVMMockBlockchainInterface, ExecResult } from '@ethereumjs/evm';
import { EVMError } from '@ethereumjs/evm';
import { createAddressFromString, createCLRequest, equalsBytes } from '@ethereumjs/util';
import { Bloom, type RunBlockOpts, type RunBlockResult, type RunTxResult, type VM } from '@ethereumjs/vm';
import { executeBlock } from '../evm/executor.js';
import type { TxOutcome } from '../evm/protocol.js';
import type { RecoveredAuthorities } from '../evm/forks/authorities.js';
import type { SenderPrefetcher } from '../evm/sender-prefetch.js';
import type { SenderRecovery } from '../evm/senders.js';
import { StateManagerSource } from '../evm/state-source.js';
import type { WorkerPool } from '../evm/worker-pool.js';

/** `runBlock`'s options, plus the accelerator for sender recovery and the worker threads. */
export interface RunBlockAcceleratedOpts extends RunBlockOpts {
  /** Batched sender recovery (an evm-accel Accelerator); without one, ethereumjs recovers each sender. */
  accelerator?: SenderRecovery;
  /** Worker threads for a pool created for this block alone; ignored with `pool`. */
  workers?: number;
  /** The worker pool (default: the process's warm pool, `WorkerPool.shared()`, started on first need). */
  pool?: WorkerPool;
  /**
   * The block's senders, already recovered — e.g. by a {@link SenderPrefetcher} that recovers the
   * next blocks' senders in one batch while this one executes.
   */
  senders?: Uint8Array;
  /**
   * With `senders`: the block's EIP-7702 authorities recovered in the same batch
   * (`SenderPrefetcher.signatures(block)` gives both); without them the workers recover authorities.
   */
  authorities?: RecoveredAuthorities;
}

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

/**
 * A drop-in for @ethereumjs/vm's `runBlock`: the same options and result, backed by the Block-STM
 * executor on worker threads with senders recovered in one accelerator batch. The post-state is
 * written into `vm.stateManager` exactly as `runBlock` writes it, so the node can go on to the next
 * block. As `runBlock` does, it throws when the block is not `generate`d and its state root,
 * receipts root, bloom, gas used or (Prague on) requests hash differ from the header; on any error
 * the state is left as it was before the block.
 */
export async function runBlockAccelerated(vm: VM, opts: RunBlockAcceleratedOpts): Promise<RunBlockResult> {
  const { block } = opts;
  if (opts.skipNonce || opts.skipBalance) throw new Error('runBlockAccelerated: skipNonce and skipBalance are not supported');
  if (opts.root) await vm.stateManager.setStateRoot(opts.root, opts.clearCache ?? true);
  if (opts.setHardfork) vm.common.setHardforkBy({ blockNumber: block.header.number, timestamp: block.header.timestamp });
  if (!opts.skipBlockValidation) await block.validateData(false, true, opts.validateBlockSize ?? false);
  const preRoot = await vm.stateManager.getStateRoot();
  await vm._emit('beforeBlock', block);
  const source = new StateManagerSource(vm.stateManager, vm.blockchain as unknown as EVMMockBlockchainInterface);
  const r = await executeBlock(block, source, {
    target: vm.stateManager,
    ...(opts.accelerator && { accelerator: opts.accelerator }),
    ...(opts.workers !== undefined && { workers: opts.workers }),
    ...(opts.pool && { pool: opts.pool }),
    ...(opts.senders && { senders: opts.senders }),
    ...(opts.authorities && { authorities: opts.authorities }),
  });
  const result: RunBlockResult = {
    receipts: r.receipts,
    results: r.txs.map((o, i) => toRunTxResult(o, r.receipts[i]!, vm)),
    stateRoot: r.stateRoot,
    gasUsed: r.gasUsed,
    logsBloom: r.logsBloom,
    receiptsRoot: r.receiptsRoot,
    ...(r.requestsHash && { requestsHash: r.requestsHash, requests: r.requests!.map((b) => createCLRequest(b)) }),
  };
  if (!opts.generate) {
    const h = block.header;
    const wrong = [
      r.requestsHash && !equalsBytes(r.requestsHash, h.requestsHash!) && 'requestsHash',
      !equalsBytes(r.receiptsRoot, h.receiptTrie) && 'receiptTrie',
      !equalsBytes(r.logsBloom, h.logsBloom) && 'bloom',
      r.gasUsed !== h.gasUsed && 'gasUsed',
      !equalsBytes(r.stateRoot, h.stateRoot) && 'stateRoot',
    ].filter(Boolean);
    if (wrong.length) {
      await vm.stateManager.setStateRoot(preRoot);
      throw new Error(`invalid block: ${wrong.join(', ')} of block ${h.number} differ from the header`);
    }
  }
  await vm._emit('afterBlock', { ...result, block });
  return result;
}
