import { describe, expect, it } from 'vitest';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { executeBlock } from '../../src/evm/executor.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { BUILT_BLOCKS, loadBuilt, outcomeSummary } from '../helpers/built-fixtures.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';

// Every built block (Prague, Osaka, bpo1, bpo2, the forks' boundaries, the DAO fork block), run by
// executeBlock with 1, 2 and 4 workers, gives exactly plain runBlock's state root, receipts root,
// requests hash, gas and bloom; and plain runBlock gives what the fixture recorded at generation.
const accel = useNativeAccelerator();
const pools = useWorkerPools([1, 2, 4]);

describe('built blocks: executeBlock equals plain runBlock', () => {
  for (const name of BUILT_BLOCKS) {
    it(name, async () => {
      const fx = await loadBuilt(name);
      const seq = await runBlockSequential(await fixtureBlock(fx), await stateManagerFromPreState(fx.preState), new FixtureBlockHashes(fx.blockHashes));
      const want = outcomeSummary(seq);
      expect(want).toEqual({ ...fx.expected, requestsHash: fx.expected!.requestsHash });
      for (const workers of [1, 2, 4]) {
        const block = await fixtureBlock(fx);
        const target = await stateManagerFromPreState(fx.preState);
        const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
        const r = await executeBlock(block, source, { target, pool: pools.get(workers)!, accelerator: accel() });
        expect(outcomeSummary(r), `${workers} worker(s)`).toEqual(want);
        expect(r.requests?.map((b) => Buffer.from(b).toString('hex')), `${workers} worker(s)`).toEqual(fx.requests?.map((h) => h.slice(2)));
      }
    });
  }
});
