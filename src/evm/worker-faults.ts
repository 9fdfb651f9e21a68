/**
 * Fault injection for tests of the executor's worker watchdog — test-only, absent unless a test
 * creates a pool with it ({@link WorkerPool.create}'s `testFaults`), and inert until armed, in the
 * spirit of the FPGA simulation's `sim:flip=K`. What it injects is a real hang: the worker thread
 * that starts the chosen transaction stops answering for good, spinning or blocked in
 * `Atomics.wait`, exactly as a thread stuck in an endless loop or a deadlock would, so the watchdog
 * and the replacement path run on real threads; nothing about the executor is mocked.
 */

const TX = 0;
const LEFT = 1;
const HOW = 2;
const WAIT = 1;

/** A switch shared by every worker of a pool (and its replacements) that makes them hang. Test-only. */
export class WorkerHangInjection {
  private readonly words: Int32Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
  }

  /** An unarmed switch: nothing hangs until {@link arm}. */
  static create(): WorkerHangInjection {
    return new WorkerHangInjection(new SharedArrayBuffer(3 * 4));
  }

  /**
   * The next `times` executions of transaction `tx` (its block index, in any block), by any worker
   * of the pool, hang the worker that starts them: `spin`, an endless busy loop; `wait`, blocked
   * forever in `Atomics.wait` (a deadlock).
   */
  arm(tx: number, times: number, how: 'spin' | 'wait'): void {
    Atomics.store(this.words, TX, tx);
    Atomics.store(this.words, HOW, how === 'wait' ? WAIT : 0);
    Atomics.store(this.words, LEFT, times);
  }

  /**
   * The next `times` workers told to begin a block hang there, before their first beat: a thread
   * stuck while it starts (loading modules, setting up its VM).
   */
  armAtBegin(times: number, how: 'spin' | 'wait'): void {
    this.arm(AT_BEGIN, times, how);
  }

  /** Armed hangs that have not happened yet. */
  get left(): number {
    return Atomics.load(this.words, LEFT);
  }
}

/** What {@link hangIfInjected} is called with where a worker begins a block (no transaction has index -1). */
export const AT_BEGIN = -1;

/** In a worker: hangs this thread forever if the switch (its buffer) says this execution of `tx` (or {@link AT_BEGIN}) must. */
export function hangIfInjected(buffer: SharedArrayBuffer | undefined, tx: number): void {
  if (!buffer) return;
  const words = new Int32Array(buffer);
  if (Atomics.load(words, TX) !== tx) return;
  for (let left = Atomics.load(words, LEFT); ; ) {
    if (left <= 0) return;
    const was = Atomics.compareExchange(words, LEFT, left, left - 1);
    if (was === left) break;
    left = was;
  }
  const wait = Atomics.load(words, HOW) === WAIT;
  const never = new Int32Array(new SharedArrayBuffer(4));
  // Only terminate() ends this: nothing ever notifies `never`, and a spin has no way out.
  for (;;) if (wait) Atomics.wait(never, 0, 0);
}
