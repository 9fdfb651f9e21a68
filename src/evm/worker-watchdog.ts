/**
 * Tells a worker that stopped answering — stuck in an endless loop, a deadlocked `Atomics.wait`, a
 * native call that never returns — from one that works, without costing the main thread anything
 * per transaction: each worker bumps its slot's beat counter in the scheduler's shared memory at
 * every turn of its task loop and every commit (an idle worker turns every few milliseconds), and a
 * timer on the main thread, unref'ed, samples the counters a few times per limit. A slot whose
 * counter has not moved for the limit while it should be working has stalled.
 *
 * A worker that has not beaten yet in the block is starting (a fresh thread loads its modules, a
 * few hundred milliseconds, seconds on a loaded machine) and is judged by a longer limit, at least
 * {@link START_LIMIT_MS}: one stuck while starting holds no task, but the block cannot end without
 * it where it is the only worker or the one that collects the net writes. Slots are judged only
 * while the executor says they should work (not while waiting for the main thread: a read of a slow
 * state source, the KZG being loaded).
 * Nor is anyone judged on time the main thread itself did not look — blocked, or the process
 * suspended: a sample that comes late starts every clock afresh (a worker's question may still be
 * waiting in the main thread's queue then).
 */
export class WorkerWatchdog {
  /** Beat count when each slot's worker was started on the block: it has joined once the count differs. */
  private readonly joinedAfter: number[];
  /** Beat count at the last sample. */
  private readonly seen: number[];
  /** When each slot's count last moved, or it was last excused (performance.now()). */
  private readonly since: number[];
  private timer: NodeJS.Timeout | undefined;
  private readonly periodMs: number;
  /** The limit for a worker that has not beaten yet in the block. */
  private readonly startMs: number;
  private lastSample = performance.now();

  constructor(
    private readonly beats: (slot: number) => number,
    slots: number,
    private readonly stallMs: number,
    /** Whether `slot` should be making progress now. */
    private readonly shouldWork: (slot: number) => boolean,
    /** `slot` stalled: no progress for `quietMs`, over `limitMs`, while it should have (`starting`: it never beat in this block). */
    private readonly onStall: (slot: number, quietMs: number, limitMs: number, starting: boolean) => void,
  ) {
    this.startMs = Math.max(stallMs, START_LIMIT_MS);
    this.joinedAfter = Array.from({ length: slots }, (_, slot) => beats(slot));
    this.seen = [...this.joinedAfter];
    this.since = this.seen.map(() => performance.now());
    this.periodMs = Math.max(MIN_SAMPLE_MS, stallMs / SAMPLES_PER_LIMIT);
  }

  /** Starts sampling (never with an infinite limit); {@link stop} ends it. */
  start(): void {
    if (!Number.isFinite(this.stallMs)) return;
    this.lastSample = performance.now();
    this.timer = setInterval(() => this.sample(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** `slot` has a fresh worker: it is not judged until that one beats. */
  restarted(slot: number): void {
    this.joinedAfter[slot] = this.seen[slot] = this.beats(slot);
    this.since[slot] = performance.now();
  }

  private sample(): void {
    const now = performance.now();
    const late = now - this.lastSample > LATE_SAMPLE * this.periodMs;
    this.lastSample = now;
    for (let slot = 0; slot < this.seen.length; slot++) {
      const beats = this.beats(slot);
      const quiet = now - this.since[slot]!;
      const starting = beats === this.joinedAfter[slot];
      if (late || beats !== this.seen[slot] || !this.shouldWork(slot)) {
        this.seen[slot] = beats;
        this.since[slot] = now;
      } else if (quiet > (starting ? this.startMs : this.stallMs)) {
        this.since[slot] = now;
        this.onStall(slot, quiet, starting ? this.startMs : this.stallMs, starting);
      }
    }
  }
}

/**
 * The least time a worker is given to start (see {@link WorkerWatchdog}): ten times a fresh thread's
 * start-up on a loaded 2-core machine, so that a short `workerStallMs` does not judge a replacement
 * still loading its modules.
 */
export const START_LIMIT_MS = 15_000;
/** Samples per limit: a stall is seen between one limit and a quarter more after the last beat. */
const SAMPLES_PER_LIMIT = 4;
/** The shortest sampling period, whatever the limit. */
const MIN_SAMPLE_MS = 10;
/** A sample this many periods after the last one finds the main thread was not looking. */
const LATE_SAMPLE = 2;
