import type { KernelOutput, KernelSpec } from './kernels.js';
import type { BackendName } from './types.js';

interface Pending<In> {
  batch: In;
  resolve: (out: KernelOutput) => void;
  reject: (err: unknown) => void;
}

interface Queue<In> {
  spec: KernelSpec<In>;
  forced: BackendName | undefined;
  pending: Pending<In>[];
  items: number;
  timer: NodeJS.Timeout | NodeJS.Immediate | null;
}

export type Dispatch = <In>(spec: KernelSpec<In>, batch: In, forced: BackendName | undefined) => Promise<KernelOutput>;

/**
 * Coalesces concurrent calls of one kernel (and one forced backend) into a single dispatch, up to
 * `maxBatch` items or `maxDelayMs` of waiting, then hands each caller its slice of the result.
 * Many single-signature calls from a node's hot path thus reach the device as one batch.
 */
export class Batcher {
  private readonly queues = new Map<string, Queue<unknown>>();

  constructor(
    private readonly dispatch: Dispatch,
    private readonly maxBatch: number,
    private readonly maxDelayMs: number,
  ) {}

  submit<In>(spec: KernelSpec<In>, batch: In, forced: BackendName | undefined): Promise<KernelOutput> {
    const count = spec.count(batch);
    // A call that fills a batch on its own gains nothing from waiting.
    if (count >= this.maxBatch) return this.dispatch(spec, batch, forced);
    const key = `${spec.id}/${forced ?? ''}`;
    let q = this.queues.get(key) as Queue<In> | undefined;
    if (!q) {
      q = { spec, forced, pending: [], items: 0, timer: null };
      this.queues.set(key, q as Queue<unknown>);
    }
    const queue = q;
    return new Promise<KernelOutput>((resolve, reject) => {
      if (queue.items + count > this.maxBatch) this.flush(queue);
      queue.pending.push({ batch, resolve, reject });
      queue.items += count;
      if (queue.items >= this.maxBatch) this.flush(queue);
      else if (!queue.timer) {
        queue.timer =
          this.maxDelayMs > 0 ? setTimeout(() => this.flush(queue), this.maxDelayMs) : setImmediate(() => this.flush(queue));
      }
    });
  }

  private flush<In>(q: Queue<In>): void {
    if (q.timer) {
      clearTimeout(q.timer as NodeJS.Timeout);
      clearImmediate(q.timer as NodeJS.Immediate);
      q.timer = null;
    }
    const pending = q.pending;
    if (pending.length === 0) return;
    q.pending = [];
    q.items = 0;
    const { spec } = q;
    let joined: In;
    try {
      joined = spec.concat(pending.map((p) => p.batch));
    } catch (err) {
      for (const p of pending) p.reject(err);
      return;
    }
    this.dispatch(spec, joined, q.forced).then(
      (out) => {
        let from = 0;
        for (const p of pending) {
          const n = spec.count(p.batch);
          p.resolve({
            out: out.out.subarray(from * spec.outBytes, (from + n) * spec.outBytes),
            valid: out.valid ? out.valid.subarray(from, from + n) : null,
          });
          from += n;
        }
      },
      (err: unknown) => {
        for (const p of pending) p.reject(err);
      },
    );
  }

  /** Dispatches everything still waiting. */
  drain(): void {
    for (const q of this.queues.values()) this.flush(q);
  }
}
