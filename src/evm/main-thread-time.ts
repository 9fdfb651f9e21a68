import { performance } from 'node:perf_hooks';

/** What the main thread spends a block's time on, besides waiting. */
export type MainThreadWork = 'commit' | 'receipts' | 'validate' | 'reads' | 'messaging';

/**
 * Main-thread time of one block's execution (sender recovery excluded), milliseconds. `busyMs` is
 * the event loop's active time (`performance.eventLoopUtilization`), the rest of the block it
 * waited; `work` splits it by what the executor measured it doing (wall time of those sections,
 * awaits inside them included); `otherMs` is busy time in none of them — message delivery and
 * deserialisation, promise plumbing.
 */
export interface MainThreadTimings {
  busyMs: number;
  /** `busyMs` per transaction. */
  perTxMs: number;
  work: Record<MainThreadWork, number>;
  otherMs: number;
}

/** Accumulates {@link MainThreadTimings} over one block. */
export class MainThreadClock {
  private readonly start = performance.eventLoopUtilization();
  private readonly work: Record<MainThreadWork, number> = { commit: 0, receipts: 0, validate: 0, reads: 0, messaging: 0 };

  /** Runs `fn`, counting its time as `work`. */
  time<T>(work: MainThreadWork, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.work[work] += performance.now() - t0;
    }
  }

  /** Runs async `fn`, counting its time to settle as `work`. */
  async timeAsync<T>(work: MainThreadWork, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.work[work] += performance.now() - t0;
    }
  }

  /** The totals so far, for a block of `txs` transactions. */
  read(txs: number): MainThreadTimings {
    const busyMs = performance.eventLoopUtilization(this.start).active;
    const measured = Object.values(this.work).reduce((a, b) => a + b, 0);
    return { busyMs, perTxMs: txs ? busyMs / txs : 0, work: { ...this.work }, otherMs: Math.max(0, busyMs - measured) };
  }
}
