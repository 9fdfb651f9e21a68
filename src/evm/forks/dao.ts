import { Hardfork } from '@ethereumjs/common';
import { Account, createAddressFromString } from '@ethereumjs/util';
import type { PreludeStep } from '../block-steps.js';
import type { WriteSet } from '../mv-memory.js';
import { accountKey } from '../state-key.js';
import { DAO_ACCOUNTS, DAO_REFUND_CONTRACT } from './dao-accounts.js';

/**
 * The DAO fork's irregular state change, on the fork block only, before anything else (runBlock
 * applies it before the block's checkpoint): every listed account's balance moves to the refund
 * contract. As in runBlock, a listed account that does not exist is written as an empty one, and
 * so is the refund contract.
 */
export const daoFork: PreludeStep = async ({ block, target }) => {
  const writes: WriteSet = { values: [], deltas: [], codes: [] };
  const c = block.common;
  if (!c.hardforkIsActiveOnBlock(Hardfork.Dao, block.header.number) || block.header.number !== c.hardforkBlock(Hardfork.Dao)) return writes;
  const refundAddress = createAddressFromString(`0x${DAO_REFUND_CONTRACT}`);
  const refund = (await target.getAccount(refundAddress)) ?? new Account();
  const put = async (a: string, account: Account) => {
    await target.putAccount(createAddressFromString(`0x${a}`), account);
    const { nonce, balance, codeHash, storageRoot } = account;
    writes.values.push([accountKey(a), { nonce, balance, codeHash, storageRoot }]);
  };
  for (const a of DAO_ACCOUNTS) {
    const account = (await target.getAccount(createAddressFromString(`0x${a}`))) ?? new Account();
    refund.balance += account.balance;
    account.balance = 0n;
    await put(a, account);
  }
  await put(DAO_REFUND_CONTRACT, refund);
  return writes;
};
