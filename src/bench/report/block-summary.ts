import type { BlockBenchResult } from '../block.js';
import type { MachineInfo } from '../machine.js';

/** One block replayed by plain `runBlock` and by the parallel executor at each worker count. */
export interface BlockBenchRow {
  /** How the block is named in the chart and table, e.g. its number. */
  block: string;
  txs: number;
  /** Wall time of plain `runBlock`, the baseline every speed-up is measured against. */
  sequentialMs: number;
  parallel: {
    workers: number;
    ms: number;
    /** Transactions run again after a read conflict (Block-STM aborts). */
    reExecutions: number;
  }[];
}

/** What the block benchmark hands the report: the machine it ran on and one row per block. */
export interface BlockBenchSummary {
  machine: MachineInfo;
  rows: BlockBenchRow[];
}

/** The block benchmark's result as the chart takes it. */
export function blockSummary(r: BlockBenchResult, machine: MachineInfo): BlockBenchSummary {
  return {
    machine,
    rows: r.rows.map((row) => ({
      block: row.name,
      txs: row.txs,
      sequentialMs: row.runBlockMs,
      parallel: row.parallel.map((p) => ({ workers: p.workers, ms: p.ms, reExecutions: p.reExecutions })),
    })),
  };
}
