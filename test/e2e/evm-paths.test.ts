import { bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { useNativeAccelerator } from '../helpers/executor-fixtures.js';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { CostModel } from '../../src/evm/cost-model.js';
import { TxError } from '../../src/evm/errors.js';
import { executeBlock } from '../../src/evm/executor.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { dependentChain, independentTransfers, lifecycleBlock, type SyntheticBlock } from '../../src/evm/synthetic.js';
import { WorkerPool } from '../../src/evm/worker-pool.js';

// The inline path (the calling thread, no workers) and the cost model that picks it.
const accel = useNativeAccelerator();

async function both(s: SyntheticBlock) {
  const seq = await runBlockSequential(s.block, await stateManagerFromPreState(s.preState), new FixtureBlockHashes({}));
  const target = await stateManagerFromPreState(s.preState);
  const r = await executeBlock(s.block, new InMemoryStateSource({ preState: s.preState, blockHashes: {} }), { target, accelerator: accel(), mode: 'inline' });
  return { seq, r };
}

describe('the inline path equals sequential runBlock', () => {
  for (const [name, make] of [
    ['independent transfers', () => independentTransfers(20)],
    ['a dependent chain', () => dependentChain(10)],
    ['creation, self-destruct, revert and out-of-gas', () => lifecycleBlock()],
  ] as const) {
    it(name, async () => {
      const { seq, r } = await both(make());
      expect(r.path).toBe('inline');
      expect(r.workers).toBe(0);
      expect(bytesToHex(r.stateRoot)).toBe(bytesToHex(seq.stateRoot));
      expect(bytesToHex(r.receiptsRoot)).toBe(bytesToHex(seq.receiptsRoot));
      expect(bytesToHex(r.logsBloom)).toBe(bytesToHex(seq.logsBloom));
      expect(r.gasUsed).toBe(seq.gasUsed);
    });
  }

  for (const number of [46147, 4370000, 19933122]) {
    it(`mainnet block ${number}`, async () => {
      const fx = await loadFixture(`test/fixtures/mainnet/${number}.json.gz`);
      const seq = await runBlockSequential(await fixtureBlock(fx), await stateManagerFromPreState(fx.preState), new FixtureBlockHashes(fx.blockHashes));
      const block = await fixtureBlock(fx);
      const target = await stateManagerFromPreState(fx.preState);
      const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
      const r = await executeBlock(block, source, { target, accelerator: accel(), mode: 'inline' });
      expect(bytesToHex(r.stateRoot)).toBe(bytesToHex(seq.stateRoot));
      expect(bytesToHex(r.receiptsRoot)).toBe(bytesToHex(seq.receiptsRoot));
      expect(r.gasUsed).toBe(block.header.gasUsed);
    });
  }

  it('a transaction that cannot pay fails with a TxError naming it, and leaves the pre-state', async () => {
    const fx = structuredClone(await loadFixture('test/fixtures/mainnet/46147.json.gz'));
    delete fx.preState[fx.block.transactions[0]!.from.toLowerCase()];
    const target = await stateManagerFromPreState(fx.preState);
    const before = bytesToHex(await target.getStateRoot());
    const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
    const err = await executeBlock(await fixtureBlock(fx), source, { target, accelerator: accel(), mode: 'inline' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(0);
    expect(bytesToHex(await target.getStateRoot())).toBe(before);
  });
});

describe('auto: the cost model picks the path', () => {
  it('a one-transaction block on a cold pool runs inline and starts no thread', async () => {
    const pool = WorkerPool.create(2);
    const s = independentTransfers(1);
    const target = await stateManagerFromPreState(s.preState);
    const r = await executeBlock(s.block, new InMemoryStateSource({ preState: s.preState, blockHashes: {} }), { target, pool, accelerator: accel(), costModel: new CostModel() });
    expect(r.path).toBe('inline');
    expect(pool.started).toBe(false);
  });

  it('a large block on a warm pool whose measured parallelism pays runs in parallel', async () => {
    const pool = WorkerPool.create(2);
    try {
      const model = new CostModel();
      model.recordInline(1_000_000, 1_000);
      model.recordParallel(1_000_000, { totalMs: 600, runMs: 500, workerMs: 1_000 });
      const s = independentTransfers(40);
      const target = await stateManagerFromPreState(s.preState);
      const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
      await executeBlock(s.block, source, { target, pool, accelerator: accel(), mode: 'parallel' });
      const s2 = independentTransfers(40);
      const target2 = await stateManagerFromPreState(s2.preState);
      const r = await executeBlock(s2.block, new InMemoryStateSource({ preState: s2.preState, blockHashes: {} }), { target: target2, pool, accelerator: accel(), costModel: model });
      expect(r.path).toBe('parallel');
      expect(r.workers).toBe(2);
    } finally {
      await pool.close();
    }
  });
});
