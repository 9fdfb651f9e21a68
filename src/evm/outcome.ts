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
}

/** One header field checked against an outcome. */
export interface FieldCheck {
  field: 'gasUsed' | 'logsBloom' | 'receiptsRoot';
  got: string;
  expected: string;
  match: boolean;
}

/**
 * The header fields a fixture can check: gasUsed and logsBloom always, receiptsRoot from Byzantium
 * on (before it, receipts hold intermediate roots of the whole world state, which a fixture lacks).
 */
export function checkAgainstHeader(block: Block, outcome: BlockOutcome): FieldCheck[] {
  const h = block.header;
  const checks: FieldCheck[] = [
    { field: 'gasUsed', got: outcome.gasUsed.toString(), expected: h.gasUsed.toString(), match: outcome.gasUsed === h.gasUsed },
    {
      field: 'logsBloom',
      got: bytesToHex(outcome.logsBloom),
      expected: bytesToHex(h.logsBloom),
      match: equalsBytes(outcome.logsBloom, h.logsBloom),
    },
  ];
  if (h.number >= BYZANTIUM_BLOCK) {
    checks.push({
      field: 'receiptsRoot',
      got: bytesToHex(outcome.receiptsRoot),
      expected: bytesToHex(h.receiptTrie),
      match: equalsBytes(outcome.receiptsRoot, h.receiptTrie),
    });
  }
  return checks;
}

/** Whether two outcomes are identical: state root, gas, bloom, receipts root and every receipt. */
export function sameOutcome(a: BlockOutcome, b: BlockOutcome): boolean {
  return (
    a.gasUsed === b.gasUsed &&
    equalsBytes(a.logsBloom, b.logsBloom) &&
    equalsBytes(a.receiptsRoot, b.receiptsRoot) &&
    equalsBytes(a.stateRoot, b.stateRoot) &&
    a.receipts.length === b.receipts.length
  );
}
