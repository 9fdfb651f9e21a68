import { describe, expect, it } from 'vitest';
import { CostModel, predictedGas } from '../../src/evm/cost-model.js';

describe('CostModel', () => {
  it('with nothing measured, a cold pool is not started and a warm one is tried', () => {
    const m = new CostModel();
    expect(m.choose(21_000, { size: 4, started: false })).toBe('inline');
    expect(m.choose(21_000, { size: 4, started: true })).toBe('parallel');
  });

  it('chooses by measured costs: small blocks inline, large ones parallel when the pool reached parallelism', () => {
    const m = new CostModel();
    m.recordInline(1_000_000, 100); // 0.1 ms per kgas on the calling thread
    m.recordParallel(10_000_000, { totalMs: 400, runMs: 300, workerMs: 1_000 }); // parallelism 3.3, overhead 100 ms
    expect(m.parallelism).toBeCloseTo(1000 / 300);
    expect(m.parallelOverheadMs).toBeCloseTo(100);
    const pool = { size: 4, started: true };
    expect(m.choose(21_000, pool)).toBe('inline'); // 2 ms inline against 100 ms of overhead
    expect(m.choose(30_000_000, pool)).toBe('parallel'); // 3 s inline against 100 + 3000 / 3.3 ms
  });

  it('a dependent block that reached no parallelism teaches the model to stay inline', () => {
    const m = new CostModel();
    m.recordInline(1_000_000, 100);
    for (let i = 0; i < 10; i++) m.recordParallel(10_000_000, { totalMs: 1_200, runMs: 1_100, workerMs: 1_000 });
    expect(m.choose(30_000_000, { size: 8, started: true })).toBe('inline');
  });

  it('a cold pool is started only when the block outweighs the measured start-up', () => {
    const m = new CostModel();
    m.recordInline(1_000_000, 100);
    m.recordParallel(10_000_000, { totalMs: 900, runMs: 300, workerMs: 1_200 }, 500);
    m.recordParallel(10_000_000, { totalMs: 400, runMs: 300, workerMs: 1_200 });
    expect(m.startupMs).toBe(500);
    expect(m.choose(2_000_000, { size: 4, started: false })).toBe('inline');
    expect(m.choose(60_000_000, { size: 4, started: false })).toBe('parallel');
  });

  it('with the start-up unmeasured, a cold pool is started for a block the inline path would take over a second on', () => {
    // A fresh process (the demo, a node's first blocks): one small block ran inline, nothing ran on the pool yet.
    const m = new CostModel();
    m.recordInline(21_000, 20); // ~1 µs per gas
    expect(m.choose(500_000, { size: 1, started: false })).toBe('inline'); // 0.5 s inline
    expect(m.choose(10_000_000, { size: 1, started: false })).toBe('parallel'); // 10 s inline
  });

  it('after only a cold parallel block, a small block stays inline on the now warm pool', () => {
    const m = new CostModel();
    m.recordInline(21_000, 20);
    // The first parallel block: 600 ms beyond its run, start-up and the block's fixed cost together.
    m.recordParallel(10_000_000, { totalMs: 3_000, runMs: 2_400, workerMs: 2_400 }, 600);
    const warm = { size: 1, started: true };
    expect(m.choose(300_000, warm)).toBe('inline'); // 0.3 s inline against 600 ms + 72 ms
    expect(m.choose(10_000_000, warm)).toBe('parallel');
  });

  it('predicts gas from the header, or from the transactions of a block being built', () => {
    expect(predictedGas({ gasUsed: 500n }, [21_000n])).toBe(500);
    expect(predictedGas({ gasUsed: 0n }, [21_000n, 79_000n])).toBe(50_000);
  });
});
