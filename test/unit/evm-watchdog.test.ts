import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../src/evm/scheduler.js';
import { WorkerWatchdog } from '../../src/evm/worker-watchdog.js';

// The watchdog on the scheduler's real beat counters, with the clock faked: which slots it calls
// stalled, and when, follows from the beats alone.
describe('WorkerWatchdog', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  const LIMIT = 1_000;
  function watch(slots: number, shouldWork: (slot: number) => boolean = () => true) {
    const s = Scheduler.create(4, slots, { window: 64, fallbackRatio: 0.5 });
    const stalls: [number, number][] = [];
    const dog = new WorkerWatchdog((slot) => s.beatsOf(slot), slots, LIMIT, shouldWork, (slot, quietMs) => stalls.push([slot, quietMs]));
    dog.start();
    return { s, dog, stalls };
  }

  it('calls a slot stalled once it has beaten and then stood still for the limit; one that keeps beating never', () => {
    const { s, dog, stalls } = watch(2);
    s.beat(0);
    s.beat(1);
    for (let t = 0; t < 4 * LIMIT; t += 100) {
      s.beat(1);
      vi.advanceTimersByTime(100);
    }
    dog.stop();
    expect(stalls.map(([slot]) => slot)).toEqual([0, 0, 0]);
    // Seen between one limit and a sampling period more after its last beat.
    for (const [, quietMs] of stalls) expect(quietMs).toBeGreaterThan(LIMIT);
    for (const [, quietMs] of stalls) expect(quietMs).toBeLessThanOrEqual(LIMIT * 1.25);
  });

  it('does not judge a worker that has not joined the block (still starting), nor one that should not be working', () => {
    let working = false;
    const { s, dog, stalls } = watch(2, (slot) => slot === 0 || working);
    s.beat(1);
    vi.advanceTimersByTime(5 * LIMIT);
    expect(stalls).toEqual([]);
    // Slot 1 has to work from now on: its clock starts now, not at its last beat.
    working = true;
    vi.advanceTimersByTime(LIMIT);
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(LIMIT / 2);
    expect(stalls.map(([slot]) => slot)).toEqual([1]);
    dog.stop();
  });

  it('a restarted slot is not judged until its fresh worker beats', () => {
    const { s, dog, stalls } = watch(1);
    s.beat(0);
    vi.advanceTimersByTime(LIMIT / 2);
    dog.restarted(0);
    vi.advanceTimersByTime(5 * LIMIT);
    expect(stalls).toEqual([]);
    s.beat(0);
    vi.advanceTimersByTime(1.5 * LIMIT);
    expect(stalls.length).toBe(1);
    dog.stop();
    vi.advanceTimersByTime(5 * LIMIT);
    expect(stalls.length).toBe(1);
  });

  it('judges no one on time the main thread did not look (blocked): its clocks start afresh', async () => {
    vi.useRealTimers();
    const s = Scheduler.create(1, 1, { window: 64, fallbackRatio: 0.5 });
    const stalls: number[] = [];
    const dog = new WorkerWatchdog((slot) => s.beatsOf(slot), 1, 200, () => true, (slot) => stalls.push(slot));
    dog.start();
    s.beat(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    // Samples have seen the beat; now this thread (the main thread's event loop) blocks for five
    // limits. The overdue sample runs before this timeout, and finds it was not looking.
    for (const end = performance.now() + 1_000; performance.now() < end; );
    await new Promise((resolve) => setTimeout(resolve, 1));
    dog.stop();
    expect(stalls).toEqual([]);
  });

  it('an infinite limit never samples', () => {
    const s = Scheduler.create(1, 1, { window: 64, fallbackRatio: 0.5 });
    const dog = new WorkerWatchdog((slot) => s.beatsOf(slot), 1, Infinity, () => true, () => {
      throw new Error('sampled');
    });
    dog.start();
    s.beat(0);
    expect(vi.getTimerCount()).toBe(0);
    dog.stop();
  });
});
