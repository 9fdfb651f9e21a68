import type { Block } from '@ethereumjs/block';
import { Hardfork, type StateManagerInterface } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import type { TypedTransaction } from '@ethereumjs/tx';
import { KECCAK256_RLP } from '@ethereumjs/util';
import { Bloom, encodeReceipt, type TxReceipt } from '@ethereumjs/vm';
import type { TxOutcome } from './protocol.js';

/**
 * The block's receipts as transactions commit, in order: cumulative gas, the block's bloom and the
 * receipts trie, as runBlock builds them.
 */
export class ReceiptAccumulator {
  /** Gas the block has used so far (what the block gas limit caps). */
  blockGas = 0n;
  /** Cumulative gas as receipts state it. */
  private receiptGas = 0n;
  private readonly bloom: Bloom;
  readonly receipts: TxReceipt[] = [];
  readonly outcomes: TxOutcome[] = [];
  private readonly trie: MerklePatriciaTrie;

  constructor(private readonly block: Block) {
    this.bloom = new Bloom(undefined, block.common);
    this.trie = new MerklePatriciaTrie({ common: block.common });
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
    await this.trie.put(RLP.encode(this.receipts.length), encodeReceipt(receipt, tx.type));
    this.receipts.push(receipt);
    this.outcomes.push(o);
  }

  get logsBloom(): Uint8Array {
    return this.bloom.bitvector;
  }

  get receiptsRoot(): Uint8Array {
    return this.receipts.length ? this.trie.root() : KECCAK256_RLP;
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
