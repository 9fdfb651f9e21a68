import type { Block } from '@ethereumjs/block';
import { bytesToHex, equalsBytes } from '@ethereumjs/util';
import type { TxReceipt } from '@ethereumjs/vm';

/** First block whose receipts commit to a status instead of an intermediate state root. */
export const BYZANTIUM_BLOCK = 4_370_000n;

/** What executing a block produced: everything a header commits to about execution, plus the state root. */
export interface BlockOutcome {
  gasUsed: bigint;
  logsBloom: Uint8Array;
  receiptsRoot: Uint8Array;
  /** Root of the state manager the post-state was written into (a partial state for fixtures). */
  stateRoot: Uint8Array;
  receipts: TxReceipt[];
  /** EIP-7685 requests hash, where the executor computed the block's requests (Prague on). */
  requestsHash?: Uint8Array;
}

/**
 * What a block can be checked on, named as the JSON-RPC block names it: its header commitments,
 * plus `transactions` (each transaction's hash) and `senders` (each recovered sender against the
 * block's `from`), which are not header fields but are committed to through them.
 */
export type CheckedField =
  | 'hash'
  | 'parentHash'
  | 'transactionsRoot'
  | 'transactions'
  | 'senders'
  | 'sha3Uncles'
  | 'withdrawalsRoot'
  | 'blobGasUsed'
  | 'gasUsed'
  | 'logsBloom'
  | 'receiptsRoot'
  | 'requestsHash'
  | 'stateRoot';

/** One field checked: what was computed, what the block says, and whether they agree. */
export interface FieldCheck {
  field: CheckedField;
  got: string;
  expected: string;
  match: boolean;
}

/** A field that could not be checked, and why: never left out silently. */
export interface UncheckedField {
  field: string;
  why: string;
}

/** A check of one field from computed and expected values. */
export function fieldCheck(field: CheckedField, got: Uint8Array | bigint, expected: Uint8Array | bigint): FieldCheck {
  const show = (v: Uint8Array | bigint) => (typeof v === 'bigint' ? v.toString() : bytesToHex(v));
  const match = typeof got === 'bigint' || typeof expected === 'bigint' ? got === expected : equalsBytes(got, expected);
  return { field, got: show(got), expected: show(expected), match };
}

/**
 * The header fields an execution outcome can be checked on: gasUsed and logsBloom always,
 * requestsHash where the header has one and the outcome computed it, and, when the outcome was
 * computed over the whole world state (`wholeState`), the state root and the receipts root; over
 * a partial pre-state, the receipts root from Byzantium on only (before it, each receipt holds an
 * intermediate root of the whole world state) and never the state root.
 */
export function checkAgainstHeader(block: Block, outcome: BlockOutcome, wholeState = false): FieldCheck[] {
  const h = block.header;
  const checks = [fieldCheck('gasUsed', outcome.gasUsed, h.gasUsed), fieldCheck('logsBloom', outcome.logsBloom, h.logsBloom)];
  if (wholeState || h.number >= BYZANTIUM_BLOCK) checks.push(fieldCheck('receiptsRoot', outcome.receiptsRoot, h.receiptTrie));
  if (h.requestsHash !== undefined && outcome.requestsHash !== undefined) {
    checks.push(fieldCheck('requestsHash', outcome.requestsHash, h.requestsHash));
  }
  if (wholeState) checks.push(fieldCheck('stateRoot', outcome.stateRoot, h.stateRoot));
  return checks;
}

/** The header fields about execution that {@link checkAgainstHeader} could not check on this block, with the reason. */
export function uncheckedAgainstHeader(block: Block, outcome: BlockOutcome, wholeState = false): UncheckedField[] {
  const h = block.header;
  const out: UncheckedField[] = [];
  if (!wholeState) {
    out.push({ field: 'stateRoot', why: 'the pre-state holds only what the block touches, not the whole world state' });
    if (h.number < BYZANTIUM_BLOCK) {
      out.push({ field: 'receiptsRoot', why: 'before Byzantium each receipt holds the world state root after its transaction' });
    }
  }
  if (h.requestsHash !== undefined && outcome.requestsHash === undefined) {
    out.push({ field: 'requestsHash', why: 'the executor did not compute this block’s requests' });
  }
  return out;
}

/** Whether two outcomes are identical: state root, gas, bloom, receipts root, requests hash where both have one, and every receipt. */
export function sameOutcome(a: BlockOutcome, b: BlockOutcome): boolean {
  return (
    a.gasUsed === b.gasUsed &&
    (a.requestsHash === undefined || b.requestsHash === undefined || equalsBytes(a.requestsHash, b.requestsHash)) &&
    equalsBytes(a.logsBloom, b.logsBloom) &&
    equalsBytes(a.receiptsRoot, b.receiptsRoot) &&
    equalsBytes(a.stateRoot, b.stateRoot) &&
    a.receipts.length === b.receipts.length
  );
}
