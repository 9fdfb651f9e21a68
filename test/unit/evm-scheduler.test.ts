import { describe, expect, it } from 'vitest';
import { BlockState, FALLBACK_WINDOW, Scheduler } from '../../src/evm/scheduler.js';

describe('Scheduler', () => {
  it('asked for a task once everything is committed while in-order execution lasts past the block end: none, no out-of-range access', () => {
    const n = FALLBACK_WINDOW + 2;
    const s = Scheduler.create(n, 1, { window: 64, fallbackRatio: 0 });
    for (let tx = 0; tx < n; tx++) {
      let task = s.nextTask(0)!;
      expect(task.tx).toBe(tx);
      if (tx === 1) {
        // One re-execution: with a fall-back ratio of 0 the block runs in order from the window's end on.
        s.finishExecution(0, task, 0);
        expect(s.abort(tx, task.incarnation)).toBe(true);
        task = s.nextTask(0)!;
      }
      s.finishExecution(0, task, 0);
      expect(s.commit(s.commitCandidate()!, 21_000)).toBe(true);
    }
    expect(s.counters.fallbacks).toBe(1);
    expect(s.committed).toBe(n);
    expect(s.state).toBe(BlockState.Done);
    expect(s.nextTask(0)).toBeUndefined();
  });
});
