import type { Block } from '@ethereumjs/block';
import { Hardfork, type StateManagerInterface } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import type { TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex } from '@ethereumjs/util';
import { Bloom, encodeReceipt, type RunTxResult, type TxReceipt } from '@ethereumjs/vm';
import { syncKeccak256 } from '../backends/cpu/sync-keccak.js';
import { orderedTrieRoot } from './ordered-trie.js';
import type { TxOutcome } from './protocol.js';

/**
 * The block's receipts as transactions commit, in order: cumulative gas, the block's bloom and the
 * receipts root, as runBlock builds them (the root in one pass at the end, see ordered-trie.ts).
 */
export class ReceiptAccumulator {
  /** Gas the block has used so far (what the block gas limit caps). */
  blockGas = 0n;
  /** Cumulative gas as receipts state it. */
  private receiptGas = 0n;
  private readonly bloom: Bloom;
  readonly receipts: TxReceipt[] = [];
  readonly outcomes: TxOutcome[] = [];
  private readonly encoded: [Uint8Array, Uint8Array][] = [];

  constructor(private readonly block: Block) {
    this.bloom = new Bloom(undefined, block.common);
  }

  /**
   * Adds the next transaction's receipt. `target` holds the state after it: receipts before
   * Byzantium carry that state root.
   */
  async add(tx: TypedTransaction, o: TxOutcome, target: StateManagerInterface): Promise<void> {
    this.blockGas += o.blockGasSpent;
    this.receiptGas += o.totalGasSpent;
    this.bloom.or(new Bloom(o.bloom, this.block.common));
    const receipt = await buildReceipt(this.block, tx.type, o, this.receiptGas, target);
    this.encoded.push([RLP.encode(this.receipts.length), encodeReceipt(receipt, tx.type)]);
    this.receipts.push(receipt);
    this.outcomes.push(o);
  }

  get logsBloom(): Uint8Array {
    return this.bloom.bitvector;
  }

  receiptsRoot(): Uint8Array {
    return orderedTrieRoot(this.encoded, syncKeccak256());
  }
}

/** The receipt runTx would have produced, given the block's cumulative gas so far. */
export async function buildReceipt(
  block: Block,
  txType: number,
  outcome: TxOutcome,
  cumulativeBlockGasUsed: bigint,
  target: StateManagerInterface,
): Promise<TxReceipt> {
  const base = { cumulativeBlockGasUsed, bitvector: outcome.bloom, logs: outcome.logs };
  if (txType === 0 && !block.common.gteHardfork(Hardfork.Byzantium)) {
    return { stateRoot: await target.getStateRoot(), ...base };
  }
  if (txType === 3) {
    return { blobGasUsed: outcome.blobGasUsed ?? 0n, blobGasPrice: block.header.getBlobGasPrice(), status: outcome.status, ...base };
  }
  return { status: outcome.status, ...base };
}

/** What the executor keeps of runTx's result: everything the receipt and the block totals need. */
export function toTxOutcome(r: RunTxResult): TxOutcome {
  return {
    totalGasSpent: r.totalGasSpent,
    blockGasSpent: r.blockGasSpent,
    amountSpent: r.amountSpent,
    minerValue: r.minerValue ?? 0n,
    gasRefund: r.gasRefund ?? 0n,
    status: r.execResult.exceptionError ? 0 : 1,
    exceptionError: r.execResult.exceptionError?.error,
    logs: r.execResult.logs ?? [],
    bloom: r.bloom.bitvector,
    blobGasUsed: r.blobGasUsed,
    createdAddress: r.createdAddress && bytesToHex(r.createdAddress.bytes),
    returnValue: r.execResult.returnValue,
  };
}
