import type { Block } from '@ethereumjs/block';
import type { StateManagerInterface } from '@ethereumjs/common';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createVM, runBlock, type RunBlockResult } from '@ethereumjs/vm';
import { KZG_ON_DEMAND, loadKzgOnce } from './chain.js';

/**
 * Plain sequential ethereumjs execution, the oracle for the parallel executor: `runBlock` from
 * @ethereumjs/vm over `stateManager` (its result as it is), block and header validation skipped (a
 * fixture holds only the state the block touches, so the header's state root cannot be
 * reproduced). The post-state is left in `stateManager`. A block whose point-evaluation calls found
 * the on-demand KZG not loaded yet is run again from the pre-state once it is: a plain runBlock
 * over a Common carrying KZG_ON_DEMAND would get the precompile's failure instead.
 */
export async function runBlockSequential(
  block: Block,
  stateManager: StateManagerInterface,
  blockchain: EVMMockBlockchainInterface,
): Promise<RunBlockResult> {
  const run = async () => {
    const vm = await createVM({ common: block.common.copy(), stateManager, blockchain });
    return runBlock(vm, { block, skipBlockValidation: true, skipHeaderValidation: true, generate: true });
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
