import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Where the worker script lives: built JavaScript next to this module, or the TypeScript dev entry. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./dev-worker.mjs', import.meta.url) : new URL('./worker-main.js', import.meta.url);
}

/** Default worker count: one per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * EVM worker threads kept alive across blocks (starting one costs a few hundred milliseconds of
 * module loading). One pool serves one block at a time.
 */
export class WorkerPool {
  private busy = false;
  private constructor(readonly workers: Worker[]) {}

  /** Starts `size` workers. */
  static create(size = defaultWorkers()): WorkerPool {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`workers must be a positive integer, got ${size}`);
    return new WorkerPool(Array.from({ length: size }, () => new Worker(workerUrl())));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Marks the pool as running a block; a second concurrent block is a programming error. */
  acquire(): void {
    if (this.busy) throw new Error('WorkerPool: already executing a block');
    this.busy = true;
  }

  release(): void {
    this.busy = false;
  }

  /**
   * Replaces every worker with a fresh one: after a failed block, workers may still be running
   * (or waiting on) that block's tasks, and must not answer the next block.
   */
  async recycle(): Promise<void> {
    const old = this.workers.splice(0, this.workers.length, ...this.workers.map(() => new Worker(workerUrl())));
    await Promise.all(old.map((w) => w.terminate()));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
