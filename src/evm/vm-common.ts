import type { Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { paramsVM } from '@ethereumjs/vm';

/**
 * The block's Common with the VM's parameter set (rewards, ring-buffer lengths, system contract
 * addresses live there): a copy carrying it, as runBlock reads them.
 */
export function vmCommon(block: Block): Common {
  const common = block.common.copy();
  common.updateParams(paramsVM);
  return common;
}
