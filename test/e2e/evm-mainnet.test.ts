import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { executeBlock } from '../../src/evm/executor.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { checkAgainstHeader } from '../../src/evm/outcome.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';

/**
 * Every mainnet fixture block through the parallel executor: header fields as mainnet has them,
 * and the outcome of sequential runBlock from the same pre-state, state root included. CI runs all
 * 46 blocks with 2 workers and a subset spanning the hardforks with 1 and 4; EVM_ACCEL_FULL=1 runs
 * all 46 with 1, 2 and 4 workers.
 */
const DIR = 'test/fixtures/mainnet';
const ALL = readdirSync(DIR)
  .filter((f) => f.endsWith('.json.gz'))
  .map((f) => parseInt(f, 10))
  .sort((a, b) => a - b);
/** Frontier, Homestead, Spurious Dragon, Byzantium, Istanbul, Berlin, London, Cancun with blobs. */
const SUBSET = [46147, 1796867, 2675000, 4370000, 9069000, 12244000, 15537393, 19933122];
const FULL = process.env.EVM_ACCEL_FULL === '1';

const accel = useNativeAccelerator();
const pools = useWorkerPools([1, 2, 4]);

describe('mainnet blocks: parallel = header = sequential runBlock', () => {
  for (const number of ALL) {
    const workerCounts = FULL || SUBSET.includes(number) ? [1, 2, 4] : [2];
    it(`block ${number} with ${workerCounts.join('/')} worker(s)`, async () => {
      const fx = await loadFixture(join(DIR, `${number}.json.gz`));
      const seq = await runBlockSequential(await fixtureBlock(fx), await stateManagerFromPreState(fx.preState), new FixtureBlockHashes(fx.blockHashes));
      for (const workers of workerCounts) {
        const block = await fixtureBlock(fx);
        const target = await stateManagerFromPreState(fx.preState);
        const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
        const expectedSenders = fx.block.transactions.map((t) => t.from);
        const par = await executeBlock(block, source, { target, pool: pools.get(workers)!, accelerator: accel(), expectedSenders, mode: 'parallel' });
        const label = `block ${number}, ${workers} worker(s)`;
        for (const c of checkAgainstHeader(block, par)) expect(c.got, `${label}: ${c.field}`).toBe(c.expected);
        expect(bytesToHex(par.stateRoot), `${label}: state root`).toBe(bytesToHex(seq.stateRoot));
        expect(bytesToHex(par.receiptsRoot), `${label}: receipts root`).toBe(bytesToHex(seq.receiptsRoot));
        expect(par.receipts.length).toBe(block.transactions.length);
      }
    });
  }
});
