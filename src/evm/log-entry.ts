import { ByteReader, ByteWriter, readOutcome, readReads, readWriteSet, writeOutcome, writeReads, writeWriteSet } from './codec.js';
import type { WriteSet } from './mv-memory.js';
import type { TxOutcome } from './protocol.js';
import type { ReadRecord } from './read-set.js';

/**
 * One transaction incarnation's result as a worker publishes it in its shared log: the header
 * (transaction, incarnation, gas) readable at once, then the write set (every thread applies it
 * to its memory replica), the read set (what validation checks) and the outcome (what receipts
 * need), each decoded only by the threads that need it.
 */
export interface TxEntry {
  tx: number;
  incarnation: number;
  /** Execution time, milliseconds. */
  ms: number;
  writes: WriteSet;
  reads: readonly ReadRecord[];
  /** Present when the transaction executed; absent with `error` when ethereumjs rejected it. */
  outcome?: TxOutcome;
  error?: string;
}

const HAS_OUTCOME = 1;

export function encodeTxEntry(w: ByteWriter, e: TxEntry): Uint8Array {
  w.reset();
  w.i32(e.tx);
  w.i32(e.incarnation);
  w.f64(e.ms);
  w.f64(e.outcome ? Number(e.outcome.blockGasSpent) : 0);
  w.u8(e.outcome ? HAS_OUTCOME : 0);
  const readsAt = w.mark();
  const outcomeAt = w.mark();
  writeWriteSet(w, e.writes);
  w.patchU32(readsAt, w.pos);
  writeReads(w, e.reads, e.reads.length);
  w.patchU32(outcomeAt, w.pos);
  if (e.outcome) writeOutcome(w, e.outcome);
  else w.str(e.error ?? 'no result');
  return w.view8();
}

/** Reads a published entry; its sections are decoded on demand (copies: shared memory is never kept). */
export class TxEntryReader {
  readonly tx: number;
  readonly incarnation: number;
  readonly ms: number;
  /** Gas the transaction adds to the block (0 without an outcome). */
  readonly blockGasSpent: number;
  readonly executed: boolean;
  private readonly readsAt: number;
  private readonly outcomeAt: number;
  private readonly writesAt: number;

  constructor(private readonly bytes: Uint8Array) {
    const r = new ByteReader(bytes);
    this.tx = r.i32();
    this.incarnation = r.i32();
    this.ms = r.f64();
    this.blockGasSpent = r.f64();
    this.executed = r.u8() === HAS_OUTCOME;
    this.readsAt = r.u32();
    this.outcomeAt = r.u32();
    this.writesAt = r.pos;
  }

  writes(): WriteSet {
    return readWriteSet(new ByteReader(this.bytes, this.writesAt));
  }

  reads(): ReadRecord[] {
    return readReads(new ByteReader(this.bytes, this.readsAt));
  }

  outcome(): TxOutcome | undefined {
    return this.executed ? readOutcome(new ByteReader(this.bytes, this.outcomeAt)) : undefined;
  }

  error(): string | undefined {
    return this.executed ? undefined : new ByteReader(this.bytes, this.outcomeAt).str();
  }
}
