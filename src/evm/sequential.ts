import type { Block } from '@ethereumjs/block';
import type { StateManagerInterface } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createVM, runBlock } from '@ethereumjs/vm';
import type { BlockOutcome } from './outcome.js';

/**
 * Plain sequential ethereumjs execution, the oracle for the parallel executor: `runBlock` from
 * @ethereumjs/vm over `stateManager`, block and header validation skipped (a fixture holds only the
 * state the block touches, so the header's state root cannot be reproduced). The post-state is left
 * in `stateManager`.
 */
export async function runBlockSequential(
  block: Block,
  stateManager: StateManagerInterface,
  blockchain: EVMMockBlockchainInterface,
): Promise<BlockOutcome> {
  const vm = await createVM({ common: block.common.copy(), stateManager, blockchain });
  const r = await runBlock(vm, { block, skipBlockValidation: true, skipHeaderValidation: true, generate: true });
  const { gasUsed, logsBloom, receiptsRoot, stateRoot, receipts, requestsHash } = r;
  return { gasUsed, logsBloom, receiptsRoot, stateRoot, receipts, ...(requestsHash && { requestsHash }) };
}
