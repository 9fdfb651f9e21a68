import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MAX_SLOTS } from './scheduler.js';
import { SharedLog } from './shared-log.js';
import type { WorkerHangInjection } from './worker-faults.js';

/** Where the worker script lives: built JavaScript next to this module, or the TypeScript dev entry. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./dev-worker.mjs', import.meta.url) : new URL('./worker-main.js', import.meta.url);
}

/**
 * Default worker count: one per core but one, which the main thread (following the commits,
 * receipts, the block's writes into the target) and the sender-recovery threads need. On two
 * cores one worker beat two on most blocks of the block benchmark, and `auto` on a pool of two
 * lost to one worker by up to 40% (`bench/results/block-2026-12-03T08-41-26-269Z.json`).
 */
export function defaultWorkers(): number {
  return Math.min(MAX_SLOTS, Math.max(1, availableParallelism() - 1));
}

/** A worker thread that does not keep the process alive by itself (the pool refs it while a block runs). */
function startWorker(hang: WorkerHangInjection | undefined): Worker {
  const w = new Worker(workerUrl(), { workerData: hang?.buffer });
  w.unref();
  return w;
}

/**
 * How long replacing a worker waits for the old thread to end. A thread stuck in JavaScript (a loop,
 * `Atomics.wait`) ends at once; one stuck in a native call ends only when the call returns, and
 * runs no more JavaScript then: the pool does not wait for it (it no longer keeps the process alive).
 */
const TERMINATE_WAIT_MS = 1_000;

/** Terminates `worker`; resolves once it has ended, or after {@link TERMINATE_WAIT_MS} (it no longer keeps the process alive). */
async function stop(worker: Worker): Promise<void> {
  worker.unref();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, TERMINATE_WAIT_MS).unref();
  });
  await Promise.race([worker.terminate(), waited]).finally(() => clearTimeout(timer));
}

/** Options of {@link WorkerPool.create}. */
export interface WorkerPoolOptions {
  /**
   * Test-only fault injection, absent by default: a switch that, once armed, really hangs the worker
   * that starts a given transaction (see worker-faults.ts), to test the executor's watchdog
   * (`workerStallMs`). Never set outside tests.
   */
  testFaults?: { hang: WorkerHangInjection };
}

let shared: WorkerPool | undefined;

/**
 * EVM worker threads kept alive across blocks (starting one costs a few hundred milliseconds of
 * module loading), each with its result log in shared memory, and the log of pre-block state the
 * main thread fetches for them. The threads start on first use, and never keep the process alive
 * between blocks: a pool nobody closes does not stop a program from exiting. One pool serves one
 * block at a time.
 */
export class WorkerPool {
  private busy = false;
  private threads: Worker[] | undefined;
  /** When the threads were started (performance.now()), for the cost model's start-up measure. */
  startedAt = NaN;
  /** Blocks this pool has run. */
  blocks = 0;

  private constructor(
    readonly size: number,
    readonly logs: SharedLog[],
    readonly baseLog: SharedLog,
    private readonly hang: WorkerHangInjection | undefined,
  ) {}

  /** A pool of `size` workers (threads start on first use). */
  static create(size = defaultWorkers(), opts: WorkerPoolOptions = {}): WorkerPool {
    if (!Number.isInteger(size) || size < 1 || size > MAX_SLOTS) throw new RangeError(`workers must be an integer from 1 to ${MAX_SLOTS}, got ${size}`);
    return new WorkerPool(
      size,
      Array.from({ length: size }, () => SharedLog.create()),
      SharedLog.create(1 << 16),
      opts.testFaults?.hang,
    );
  }

  /** The process's warm pool ({@link defaultWorkers} workers), created on first use and never closed. */
  static shared(): WorkerPool {
    shared ??= WorkerPool.create();
    return shared;
  }

  /** Whether the threads are up. */
  get started(): boolean {
    return this.threads !== undefined;
  }

  /** The threads, started on first use. */
  get workers(): readonly Worker[] {
    if (!this.threads) {
      this.startedAt = performance.now();
      this.threads = Array.from({ length: this.size }, () => startWorker(this.hang));
    }
    return this.threads;
  }

  /** Marks the pool as running a block (its threads then keep the process alive); a second concurrent block is a programming error. */
  acquire(): void {
    if (this.busy) throw new Error('WorkerPool: already executing a block');
    this.busy = true;
    for (const w of this.workers) w.ref();
  }

  release(): void {
    this.busy = false;
    this.blocks++;
    for (const w of this.threads ?? []) w.unref();
  }

  /** Empties the logs for the next block (no worker reads them between blocks). */
  reset(): void {
    for (const log of this.logs) log.reset();
    this.baseLog.reset();
  }

  /** Replaces the worker in `slot` with a fresh one; returns the new one once the old one has ended (see {@link stop}). */
  async replace(slot: number): Promise<Worker> {
    const threads = this.workers as Worker[];
    const old = threads[slot]!;
    const fresh = startWorker(this.hang);
    if (this.busy) fresh.ref();
    threads[slot] = fresh;
    await stop(old);
    return fresh;
  }

  /**
   * Replaces every worker with a fresh one: after a failed block, workers may still be running
   * (or waiting on) that block's tasks, and must not answer the next block.
   */
  async recycle(): Promise<void> {
    if (!this.threads) return;
    await Promise.all(this.threads.map((_, slot) => this.replace(slot)));
  }

  /** Stops every worker (a later block starts them again). */
  async close(): Promise<void> {
    const threads = this.threads ?? [];
    this.threads = undefined;
    await Promise.all(threads.map(stop));
  }
}
