import { createBlock, genTransactionsTrieRoot, genWithdrawalsTrieRoot, type Block, type HeaderData } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createLegacyTx, type TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, createWithdrawal, hexToBytes, privateToAddress, type WithdrawalData } from '@ethereumjs/util';
import { createVM, runBlock } from '@ethereumjs/vm';
import type { PreState } from '../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';

/*
 * Single blocks built to pass or to break one rule (test/e2e/plugin-parity.test.ts): block 1 over a
 * small pre-state, its roots computed from its contents, its execution fields from a plain runBlock
 * when it is meant to execute, any header field replaceable afterwards. The chain builder in
 * built-blocks/ makes valid blocks of whole chains; these are often invalid on purpose.
 */

/** A private key and its address (0x-hex), from a small integer: keys for built test blocks. */
export function account(n: number): { key: Uint8Array; address: `0x${string}` } {
  const key = hexToBytes(`0x${n.toString(16).padStart(64, '0')}`);
  return { key, address: bytesToHex(privateToAddress(key)) };
}

export const ALICE = account(1);
export const BOB = account(2);
export const CAROL = account(3);
export const COINBASE = '0x00000000000000000000000000000000000c0ffe';

/** The pre-state every built block starts from: Alice and Bob funded, nonce 0. */
export function basePreState(extra: PreState = {}): PreState {
  const funded = { balance: '0x3635c9adc5dea00000', nonce: '0x0', code: '0x', storage: {} }; // 1000 ether
  return { [ALICE.address]: funded, [BOB.address]: { ...funded }, ...extra };
}

export function common(hardfork: Hardfork = Hardfork.Shanghai): Common {
  return new Common({ chain: Mainnet, hardfork });
}

/** A signed legacy transaction with gas price 10 wei: a transfer to Carol unless told otherwise (`to: null` creates a contract). */
export function transfer(
  from: { key: Uint8Array },
  opts: { nonce?: number; to?: string | null; value?: bigint; gasLimit?: number; gasPrice?: number; data?: string },
  c = common(),
): TypedTransaction {
  const to = opts.to === undefined ? CAROL.address : opts.to;
  return createLegacyTx(
    {
      nonce: opts.nonce ?? 0,
      gasPrice: opts.gasPrice ?? 10,
      gasLimit: opts.gasLimit ?? 21_000,
      ...(to !== null && { to: to as `0x${string}` }),
      value: opts.value ?? 1000n,
      data: (opts.data ?? '0x') as `0x${string}`,
    },
    { common: c },
  ).sign(from.key);
}

interface BlockSpec {
  txs: TypedTransaction[];
  withdrawals?: WithdrawalData[];
  /** Header fields set before the execution fields are filled in. */
  header?: HeaderData;
  common?: Common;
}

/**
 * Block 1 over `preState`: its transactions and withdrawals roots computed from its contents and,
 * with `execute`, its state root, receipts root, bloom and gas used from a plain runBlock
 * (generate) from that pre-state. Without `execute` the execution fields are left at defaults
 * (for blocks meant to fail before or during execution).
 */
export async function builtBlock(preState: PreState, spec: BlockSpec, execute = true): Promise<Block> {
  const c = spec.common ?? common();
  const withdrawals = (spec.withdrawals ?? []).map((w) => createWithdrawal(w));
  const header: HeaderData = {
    number: 1n,
    gasLimit: 30_000_000n,
    timestamp: 1_700_000_000n,
    baseFeePerGas: 7n,
    coinbase: COINBASE,
    transactionsTrie: await genTransactionsTrieRoot(spec.txs),
    ...(c.isActivatedEIP(4895) && { withdrawalsRoot: await genWithdrawalsTrieRoot(withdrawals) }),
    ...spec.header,
  };
  const draft = withHeader(createBlock({ header, transactions: spec.txs, withdrawals: spec.withdrawals }, { common: c }), {});
  if (!execute) return draft;
  const vm = await createVM({ common: c.copy(), stateManager: await stateManagerFromPreState(preState) });
  const r = await runBlock(vm, { block: draft, generate: true, skipBlockValidation: true, skipHeaderValidation: true });
  return withHeader(draft, { stateRoot: r.stateRoot, receiptTrie: r.receiptsRoot, logsBloom: r.logsBloom, gasUsed: r.gasUsed });
}

/** The same block with some header fields replaced (nothing recomputed). */
export function withHeader(block: Block, fields: HeaderData): Block {
  return createBlock(
    {
      header: { ...block.header.toJSON(), ...fields },
      transactions: block.transactions.map((tx) => tx.toJSON()),
      withdrawals: block.withdrawals?.map((w) => w.toJSON()),
      uncleHeaders: block.uncleHeaders.map((u) => u.toJSON()),
    },
    { common: block.common },
  );
}
