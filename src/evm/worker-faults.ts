/**
 * Fault injection for tests of the executor's worker watchdog — test-only, off unless a test
 * creates a pool with it ({@link WorkerPool.create}'s `testFaults`), in the spirit of the FPGA
 * simulation's `sim:flip=K`. What it injects is a real hang: the worker thread that starts the
 * chosen transaction stops answering for good, spinning or blocked in `Atomics.wait`, exactly as a
 * thread stuck in an endless loop or a deadlock would, so the watchdog and the replacement path
 * are exercised on real threads; nothing about the executor is mocked.
 */

/** Which worker hangs, and how (see {@link WorkerPool.create}'s `testFaults`). Test-only. */
export interface WorkerHangInjection {
  /** The transaction (block index) whose execution hangs the worker that starts it. */
  tx: number;
  /**
   * How many executions of `tx` hang, counted over every worker of the pool and every block: the
   * first `times` hang, later ones run normally (a re-run on a fresh worker succeeds once the
   * count is spent).
   */
  times: number;
  /** `spin`: an endless busy loop; `wait`: blocked forever in `Atomics.wait` (a deadlock). */
  how: 'spin' | 'wait';
}

/** The injection as it travels to each worker thread (`workerData`): the count shared by all of them. */
export interface WorkerFaultData {
  hang: { tx: number; how: 'spin' | 'wait'; left: SharedArrayBuffer };
}

/** The `workerData` a pool hands every worker for `hang` (one shared count for the whole pool). */
export function workerFaultData(hang: WorkerHangInjection): WorkerFaultData {
  const left = new SharedArrayBuffer(4);
  new Int32Array(left)[0] = hang.times;
  return { hang: { tx: hang.tx, how: hang.how, left } };
}

/** In a worker: hangs this thread forever if the injection says this execution of `tx` must. */
export function hangIfInjected(data: WorkerFaultData | undefined, tx: number): void {
  const hang = data?.hang;
  if (!hang || hang.tx !== tx || Atomics.sub(new Int32Array(hang.left), 0, 1) <= 0) return;
  const never = new Int32Array(new SharedArrayBuffer(4));
  // Only terminate() ends this: nothing ever notifies `never`, and a spin has no way out.
  for (;;) if (hang.how === 'wait') Atomics.wait(never, 0, 0);
}
