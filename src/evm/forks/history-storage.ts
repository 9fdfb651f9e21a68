import { Address, bigIntToAddressBytes, bigIntToBytes, setLengthLeft } from '@ethereumjs/util';
import type { PreludeStep } from '../block-steps.js';
import type { WriteSet } from '../mv-memory.js';
import { vmCommon } from '../vm-common.js';
import { keyHex, storageKey } from '../state-key.js';
import { unpad } from '../state-value.js';

/**
 * EIP-2935: the parent block's hash into the history storage contract, at slot
 * (number - 1) mod 8191, when the contract has code. runBlock writes the slot directly rather than
 * calling the contract; the effect is the contract's own system path. Transactions read it by
 * calling the contract.
 */
export const historyStorage: PreludeStep = async ({ block, target }) => {
  const writes: WriteSet = { values: [], deltas: [], codes: [] };
  if (!block.common.isActivatedEIP(2935)) return writes;
  const common = vmCommon(block);
  const address = new Address(bigIntToAddressBytes(common.param('historyStorageAddress')));
  if ((await target.getCode(address)).length === 0) return writes;
  const slot = setLengthLeft(bigIntToBytes((block.header.number - 1n) % common.param('historyServeWindow')), 32);
  await target.putStorage(address, slot, block.header.parentHash);
  writes.values.push([storageKey(keyHex(address.bytes), keyHex(slot)), unpad(block.header.parentHash)]);
  return writes;
};
