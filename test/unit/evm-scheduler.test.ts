import { describe, expect, it } from 'vitest';
import { BlockState, FALLBACK_WINDOW, Scheduler } from '../../src/evm/scheduler.js';

describe('Scheduler', () => {
  it('asked for work after the last commit of an in-order span reaching past the block, has none (and does not throw)', () => {
    const size = FALLBACK_WINDOW + 4;
    const s = Scheduler.create(size, 1, { window: 64, fallbackRatio: 0 });
    for (let tx = 0; tx < size; tx++) {
      let task = s.nextTask(0)!;
      expect(task.tx).toBe(tx);
      if (tx === 0) {
        // One re-execution: with fallbackRatio 0 the block falls back to in-order from commit 16 on.
        s.finishExecution(0, task, 0);
        expect(s.abort(task.tx, task.incarnation)).toBe(true);
        task = s.nextTask(0)!;
      }
      s.finishExecution(0, task, 0);
      expect(s.commit(s.commitCandidate()!, 21_000)).toBe(true);
    }
    expect(s.counters.fallbacks).toBe(1);
    expect(s.state).toBe(BlockState.Done);
    expect(s.nextTask(0)).toBeUndefined();
  });
});
