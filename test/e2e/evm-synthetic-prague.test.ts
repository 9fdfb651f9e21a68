import { createAddressFromString, bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { FixtureBlockHashes } from '../../src/evm/chain.js';
import { executeBlock } from '../../src/evm/executor.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { addressOf, delegationBlock, testKey } from '../../src/evm/synthetic.js';
import { outcomeSummary } from '../helpers/built-fixtures.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';

// A Prague block of 1,000 transactions with 200 EIP-7702 authorizations, each authority called
// later in the block: run in parallel, it equals plain runBlock, with its re-executions counted.
const accel = useNativeAccelerator();
const pools = useWorkerPools([2]);

describe('a synthetic Prague block: 1,000 transactions, 200 authorizations', () => {
  it('equals plain runBlock with 2 workers; every authority is delegated and its counter ran once', async () => {
    const s = delegationBlock(1000, 200);
    expect(s.block.transactions).toHaveLength(1000);
    const seq = await runBlockSequential(s.block, await stateManagerFromPreState(s.preState), new FixtureBlockHashes({}));
    for (const workers of [2]) {
      const target = await stateManagerFromPreState(s.preState);
      const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
      const r = await executeBlock(s.block, source, { target, pool: pools.get(workers)!, accelerator: accel(), mode: 'parallel' });
      expect(outcomeSummary(r), `${workers} workers`).toEqual(outcomeSummary(seq));
      expect(r.receipts.every((x) => 'status' in x && x.status === 1)).toBe(true);
      expect(r.executions).toBe(1000 + r.reExecutions);
      process.stderr.write(`delegation block, ${workers} workers: ${r.reExecutions} re-executions, ${r.inOrderTxs} txs in order after ${r.fallbacks} fall-back(s)\n`);
      for (const [g, j] of [[0, 0], [49, 3]] as const) {
        const authority = createAddressFromString(addressOf(testKey(`authority ${g} ${j}`)));
        expect(bytesToHex(await target.getCode(authority))).toBe(`0xef0100${'7c'.repeat(20)}`);
        expect(bytesToHex(await target.getStorage(authority, new Uint8Array(32)))).toBe('0x01');
      }
    }
  });
});
