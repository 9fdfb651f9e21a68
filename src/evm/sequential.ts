import type { Block } from '@ethereumjs/block';
import type { StateManagerInterface } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createVM, runBlock } from '@ethereumjs/vm';
import { KZG_ON_DEMAND, loadKzgOnce } from './chain.js';
import type { BlockOutcome } from './outcome.js';

/**
 * Plain sequential ethereumjs execution, the oracle for the parallel executor: `runBlock` from
 * @ethereumjs/vm over `stateManager`, block and header validation skipped (a fixture holds only the
 * state the block touches, so the header's state root cannot be reproduced). The post-state is left
 * in `stateManager`. A block whose point-evaluation calls found the on-demand KZG not loaded yet
 * is run again from the pre-state once it is.
 */
export async function runBlockSequential(
  block: Block,
  stateManager: StateManagerInterface,
  blockchain: EVMMockBlockchainInterface,
): Promise<BlockOutcome> {
  const run = async () => {
    const vm = await createVM({ common: block.common.copy(), stateManager, blockchain });
    const r = await runBlock(vm, { block, skipBlockValidation: true, skipHeaderValidation: true, generate: true });
    const { gasUsed, logsBloom, receiptsRoot, stateRoot, receipts, requestsHash } = r;
    return { gasUsed, logsBloom, receiptsRoot, stateRoot, receipts, ...(requestsHash && { requestsHash }) };
  };
  if (block.common.customCrypto.kzg !== KZG_ON_DEMAND || KZG_ON_DEMAND.loaded) return run();
  const missed = KZG_ON_DEMAND.missed;
  await stateManager.checkpoint();
  const first = await run();
  if (KZG_ON_DEMAND.missed === missed) {
    await stateManager.commit();
    return first;
  }
  await stateManager.revert();
  await loadKzgOnce();
  return run();
}
