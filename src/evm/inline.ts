import type { Block } from '@ethereumjs/block';
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { Address } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import { applyPostBlock, applyPrelude } from './block-steps.js';
import { TxError } from './errors.js';
import type { BlockOutcome } from './outcome.js';
import type { TxOutcome } from './protocol.js';
import { ReceiptAccumulator, toTxOutcome } from './receipts.js';
import type { StateSource } from './state-source.js';
import type { StateManagerInterface } from '@ethereumjs/common';

/** What {@link executeInline} returns. */
export interface InlineOutcome extends BlockOutcome {
  txs: TxOutcome[];
  requests?: Uint8Array[];
}

/**
 * Executes a block on the calling thread, one transaction after the other, straight into
 * `target`: ethereumjs's own runTx with the batch-recovered senders, the executor's block steps
 * and receipts. The fastest path where a block is too small (or too dependent) to gain from worker
 * threads: no thread hop, no speculation. Same outcome as runBlock (the tests check it). EIP-7702
 * authorities are recovered by runTx itself, as in runBlock: the module hook that answers them
 * from the batch exists only in worker threads (see forks/authority-loader.ts).
 */
export async function executeInline(block: Block, source: StateSource, target: StateManagerInterface, senders: Uint8Array): Promise<InlineOutcome> {
  const blockchain: EVMMockBlockchainInterface = {
    async getBlock(n: number) {
      const hash = await source.getBlockHash(BigInt(n));
      return { hash: () => hash };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
  const vm = await createVM({ common: block.common.copy(), stateManager: target, blockchain });
  await applyPrelude({ block, target });
  const receipts = new ReceiptAccumulator(block);
  for (let i = 0; i < block.transactions.length; i++) {
    const tx = withSender(block, i, senders);
    if (block.header.gasLimit < tx.gasLimit + receipts.blockGas) {
      throw new TxError(i, tx, 'tx has a higher gas limit than the remaining gas in the block');
    }
    let r;
    try {
      r = await runTx(vm, { tx, block, skipHardForkValidation: true, blockGasUsed: receipts.blockGas });
    } catch (e) {
      throw new TxError(i, tx, e instanceof Error ? e.message : String(e));
    }
    await receipts.add(tx, toTxOutcome(r), target);
  }
  const requests = await applyPostBlock({ block, target, receipts: receipts.receipts });
  return {
    ...requests,
    gasUsed: receipts.blockGas,
    logsBloom: receipts.logsBloom,
    receiptsRoot: receipts.receiptsRoot(),
    stateRoot: await target.getStateRoot(),
    receipts: receipts.receipts,
    txs: receipts.outcomes,
  };
}

/** Transaction `i` answering its batch-recovered sender (a fresh, unfrozen copy: the block's own may be frozen). */
function withSender(block: Block, i: number, senders: Uint8Array): TypedTransaction {
  const tx = createTxFromRLP(block.transactions[i]!.serialize(), { common: block.common, freeze: false }) as TypedTransaction;
  const sender = new Address(senders.slice(20 * i, 20 * i + 20));
  tx.getSenderAddress = () => sender;
  return tx;
}
