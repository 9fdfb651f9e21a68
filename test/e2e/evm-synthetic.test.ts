import { bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';
import { FixtureBlockHashes } from '../../src/evm/chain.js';
import { executeBlock, type ExecuteBlockResult } from '../../src/evm/executor.js';
import type { BlockOutcome } from '../../src/evm/outcome.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import {
  createdAddress,
  dependentChain,
  hotTokenTransfers,
  independentTokenTransfers,
  independentTransfers,
  lifecycleBlock,
  sameSenderTransfers,
  testKey,
  addressOf,
  type SyntheticBlock,
} from '../../src/evm/synthetic.js';

const accel = useNativeAccelerator();
const pools = useWorkerPools([1, 2, 4]);

async function sequential(s: SyntheticBlock): Promise<BlockOutcome> {
  return runBlockSequential(s.block, await stateManagerFromPreState(s.preState), new FixtureBlockHashes({}));
}

async function parallel(s: SyntheticBlock, workers: number): Promise<ExecuteBlockResult & { target: Awaited<ReturnType<typeof stateManagerFromPreState>> }> {
  const target = await stateManagerFromPreState(s.preState);
  const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
  const r = await executeBlock(s.block, source, { target, pool: pools.get(workers)!, accelerator: accel(), mode: 'parallel' });
  return { ...r, target };
}

function expectSame(par: BlockOutcome, seq: BlockOutcome): void {
  expect(bytesToHex(par.stateRoot)).toBe(bytesToHex(seq.stateRoot));
  expect(bytesToHex(par.receiptsRoot)).toBe(bytesToHex(seq.receiptsRoot));
  expect(bytesToHex(par.logsBloom)).toBe(bytesToHex(seq.logsBloom));
  expect(par.gasUsed).toBe(seq.gasUsed);
  expect(par.receipts.map((r) => ('status' in r ? r.status : -1))).toEqual(seq.receipts.map((r) => ('status' in r ? r.status : -1)));
}

const blocks: [string, () => SyntheticBlock][] = [
  ['independent transfers', () => independentTransfers(40)],
  ['token transfers to one hot account', () => hotTokenTransfers(40)],
  ['independent token transfers', () => independentTokenTransfers(40)],
  ['a chain of dependent transactions', () => dependentChain(30)],
  ['transfers from one sender', () => sameSenderTransfers(40)],
  ['creation, self-destruct, revert and out-of-gas in one block', () => lifecycleBlock()],
];

describe('executeBlock on synthetic blocks equals sequential runBlock', () => {
  for (const [name, make] of blocks) {
    for (const workers of [1, 2, 4]) {
      it(`${name}, ${workers} worker(s)`, async () => {
        const s = make();
        const seq = await sequential(s);
        expectSame(await parallel(s, workers), seq);
      });
    }
  }
});

describe('what the synthetic blocks exercise', () => {
  it('the lifecycle block deletes, reverts and runs out of gas as intended', async () => {
    const s = lifecycleBlock();
    const par = await parallel(s, 2);
    const statuses = par.receipts.map((r) => ('status' in r ? r.status : -1));
    expect(statuses).toEqual([1, 1, 1, 0, 0, 1, 1]);
    expect(par.txs[3]!.exceptionError).toBe('revert');
    expect(par.txs[4]!.exceptionError).toBe('out of gas');
    // The destroyed contract exists again only as the plain account the last transfer made.
    const created = createdAddress(addressOf(testKey('deployer')), 0n);
    const acct = await par.target.getAccount((await import('@ethereumjs/util')).createAddressFromString(created));
    expect(acct?.balance).toBe(7n);
    expect(acct?.isContract()).toBe(false);
  });

  it('the dependent chain forces re-execution with 2 workers, and stays exact', async () => {
    const s = dependentChain(30);
    const seq = await sequential(s);
    // Whether the second worker takes a task before the first has run the chain down is timing
    // (on a loaded machine it sometimes does not): every run must be exact, and some must re-execute.
    const reExecutions: number[] = [];
    for (let run = 0; run < 5 && !reExecutions.some((n) => n > 0); run++) {
      const par = await parallel(s, 2);
      expectSame(par, seq);
      reExecutions.push(par.reExecutions);
    }
    expect(Math.max(...reExecutions)).toBeGreaterThan(0);
  });

  it('one sender\'s transfers pipeline: the sender is debited by deltas, not re-read', async () => {
    const s = sameSenderTransfers(40);
    const par = await parallel(s, 2);
    // A sender re-read eagerly would re-run nearly every transaction behind the first and make the
    // block fall back to in-order execution. With deltas a few re-runs remain, by timing: 0–7 in 50
    // runs on 2 cores (a bound of 4 failed CI once), so the bound is the eager case's order.
    expect(par.reExecutions).toBeLessThan(10);
    expect(par.inOrderTxs).toBe(0);
    expectSame(par, await sequential(s));
  });

  it('independent transfers commute on the fee recipient: no re-execution with 1 worker, few with 2', async () => {
    const s = independentTransfers(40);
    expect((await parallel(s, 1)).reExecutions).toBe(0);
    // A fee recipient read eagerly would re-run nearly every transaction behind the first (~39 here).
    // Lazily, a few still happen, depending on timing (25 runs on 2 cores: 0 in 20, then 1, 1, 2,
    // 4, 5; their cause is not yet pinned down), so the bound is the eager case's order, not a count.
    expect((await parallel(s, 2)).reExecutions).toBeLessThan(10);
  });
});
