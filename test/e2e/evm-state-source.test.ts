import { bytesToHex } from '@ethereumjs/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { executeBlock } from '../../src/evm/executor.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { checkAgainstHeader } from '../../src/evm/outcome.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { StateManagerSource } from '../../src/evm/state-source.js';
import { WorkerPool } from '../../src/evm/worker-pool.js';

let pool: WorkerPool;
beforeAll(() => {
  pool = WorkerPool.create(2);
});
afterAll(() => pool.close());

describe('a state manager as the state source', () => {
  // The node's case (runBlockAccelerated): the VM's state manager is both where pre-block state is
  // read (workers ask the main thread for every value) and where the block's commits go.
  for (const number of [2675000, 4370000]) {
    it(`block ${number}: source and target the same state manager, equal to sequential runBlock`, async () => {
      const fx = await loadFixture(`test/fixtures/mainnet/${number}.json.gz`);
      const hashes = new FixtureBlockHashes(fx.blockHashes);
      const seq = await runBlockSequential(await fixtureBlock(fx), await stateManagerFromPreState(fx.preState), hashes);
      const sm = await stateManagerFromPreState(fx.preState);
      const block = await fixtureBlock(fx);
      const par = await executeBlock(block, new StateManagerSource(sm, hashes), { target: sm, pool, mode: 'parallel' });
      for (const c of checkAgainstHeader(block, par)) expect(c.got, c.field).toBe(c.expected);
      expect(bytesToHex(par.stateRoot)).toBe(bytesToHex(seq.stateRoot));
      expect(bytesToHex(await sm.getStateRoot())).toBe(bytesToHex(seq.stateRoot));
      expect(bytesToHex(par.receiptsRoot)).toBe(bytesToHex(seq.receiptsRoot));
    });
  }
});
