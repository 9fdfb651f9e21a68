import { bytesToHex } from '@ethereumjs/util';
import { createVM } from '@ethereumjs/vm';
import { afterAll, describe, expect, it } from 'vitest';
import { useNativeAccelerator } from '../helpers/executor-fixtures.js';
import { SeededRandom } from '../helpers/random.js';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { StateSourceError, TxError, WorkerFailureError } from '../../src/evm/errors.js';
import { executeBlock, type ExecuteBlockOptions } from '../../src/evm/executor.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource, StateManagerSource, type StateSource } from '../../src/evm/state-source.js';
import { hotTokenTransfers, independentTransfers, type SyntheticBlock } from '../../src/evm/synthetic.js';
import { WorkerHangInjection } from '../../src/evm/worker-faults.js';
import { WorkerPool } from '../../src/evm/worker-pool.js';
import { START_LIMIT_MS } from '../../src/evm/worker-watchdog.js';
import { runBlockAccelerated } from '../../src/plugin/run-block.js';

// Faults injected into real blocks: workers terminated mid-block, workers whose thread really stops
// answering (the pool's test-only hang injection), a state source that never answers or throws. The block completes right or fails with a typed error; the target is then
// exactly the pre-state, and the same pool serves the next block.
const accel = useNativeAccelerator();
/** Makes the pool's workers hang when armed (test-only, see worker-faults.ts); inert until then. */
const hang = WorkerHangInjection.create();
const pool = WorkerPool.create(2, { testFaults: { hang } });
afterAll(() => pool.close());

/** Terminates a worker once the pool's logs hold `bytes` of results (polled from the main thread). */
function killAfter(bytes: number, slot: number): () => void {
  let stop = false;
  const poll = () => {
    if (stop) return;
    const published = pool.logs.reduce((a, l) => a + l.published, 0);
    if (published >= bytes && pool.started) void pool.workers[slot]!.terminate();
    else setImmediate(poll);
  };
  setImmediate(poll);
  return () => {
    stop = true;
  };
}

async function runSynthetic(s: SyntheticBlock, opts: Partial<ExecuteBlockOptions> = {}) {
  const target = await stateManagerFromPreState(s.preState);
  const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
  return executeBlock(s.block, source, { target, pool, accelerator: accel(), mode: 'parallel', ...opts });
}

async function expectSequential(s: SyntheticBlock, r: { stateRoot: Uint8Array; receiptsRoot: Uint8Array; gasUsed: bigint }) {
  const seq = await runBlockSequential(s.block, await stateManagerFromPreState(s.preState), new FixtureBlockHashes({}));
  expect(bytesToHex(r.stateRoot)).toBe(bytesToHex(seq.stateRoot));
  expect(bytesToHex(r.receiptsRoot)).toBe(bytesToHex(seq.receiptsRoot));
  expect(r.gasUsed).toBe(seq.gasUsed);
}

describe('a worker that dies mid-block is replaced and its task re-run', () => {
  it('terminated at its first published result: the block completes, identical to runBlock', async () => {
    const s = independentTransfers(60);
    const cancel = killAfter(1, 0);
    const r = await runSynthetic(s).finally(cancel);
    expect(r.workerRestarts).toBe(1);
    await expectSequential(s, r);
  });

  it('terminated at random points of dependent and independent blocks: always identical to runBlock', async () => {
    const rand = new SeededRandom(12);
    for (let round = 0; round < 4; round++) {
      const s = round % 2 ? hotTokenTransfers(30) : independentTransfers(30);
      const cancel = killAfter(1 + rand.int(6000), rand.int(2));
      const r = await runSynthetic(s).finally(cancel);
      await expectSequential(s, r);
    }
  });

  it('the pool serves the next block after the restarts', async () => {
    const s = independentTransfers(20);
    const r = await runSynthetic(s);
    expect(r.workerRestarts).toBe(0);
    await expectSequential(s, r);
  });
});

/**
 * A stall limit far above what one synthetic transaction takes, even on a loaded machine, and short
 * enough for a test. The assertions do not depend on it: a false stall would only add a re-run.
 */
const STALL_MS = 500;

describe('a worker that stops answering mid-block is terminated, replaced and its task re-run', () => {
  const cases = [
    { name: 'independent transfers, the worker spinning', block: () => independentTransfers(40), how: 'spin' },
    { name: 'dependent token transfers, the worker deadlocked in Atomics.wait', block: () => hotTokenTransfers(30), how: 'wait' },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: the block completes identical to runBlock, the stall counted`, async () => {
      const s = c.block();
      hang.arm(17, 1, c.how);
      const r = await runSynthetic(s, { workerStallMs: STALL_MS });
      expect(hang.left).toBe(0);
      expect(r.workerStalls).toBeGreaterThanOrEqual(1);
      expect(r.workerRestarts).toBeGreaterThanOrEqual(r.workerStalls);
      await expectSequential(s, r);
    });
  }

  it('a worker stuck while starting the block (before its first beat) is replaced after the start limit: the block completes', async () => {
    // One worker: the block cannot end without it, so only the watchdog's start limit ends this.
    // Its own switch: no other pool's worker can take the armed hang.
    const startHang = WorkerHangInjection.create();
    const lone = WorkerPool.create(1, { testFaults: { hang: startHang } });
    try {
      const s = independentTransfers(10);
      const target = await stateManagerFromPreState(s.preState);
      const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
      startHang.armAtBegin(1, 'wait');
      const t0 = performance.now();
      const r = await executeBlock(s.block, source, { target, pool: lone, accelerator: accel(), mode: 'parallel', workerStallMs: STALL_MS });
      expect(startHang.left).toBe(0);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(START_LIMIT_MS);
      expect(r.workerStalls).toBe(1);
      await expectSequential(s, r);
    } finally {
      await lone.close();
    }
  }, 60_000);

  it('hung more often than maxWorkerRestarts: WorkerFailureError, the target at the pre-state, the pool serves the next block', async () => {
    const s = independentTransfers(30);
    const target = await stateManagerFromPreState(s.preState);
    const before = bytesToHex(await target.getStateRoot());
    const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
    const opts = { target, pool, accelerator: accel(), mode: 'parallel', workerStallMs: STALL_MS } as const;
    hang.arm(11, 2, 'spin');
    const err = await executeBlock(s.block, source, { ...opts, maxWorkerRestarts: 1 }).catch((e: unknown) => e);
    expect(hang.left).toBe(0);
    expect(err).toBeInstanceOf(WorkerFailureError);
    expect((err as WorkerFailureError).fault).toBe('stalled');
    expect((err as WorkerFailureError).restarts).toBe(1);
    expect((err as Error).message).toMatch(/stopped answering \(no progress for \d+ ms, limit 500 ms\) in the middle of block \d+, after 1 restart$/);
    expect(bytesToHex(await target.getStateRoot())).toBe(before);
    // The same pool and target: the block runs right.
    await expectSequential(s, await executeBlock(s.block, source, opts));
  });

  it('runBlockAccelerated takes the same limits: WorkerFailureError naming its stall limit, the VM state untouched', async () => {
    const s = independentTransfers(20);
    const stateManager = await stateManagerFromPreState(s.preState);
    const before = bytesToHex(await stateManager.getStateRoot());
    const vm = await createVM({ common: s.block.common.copy(), stateManager, blockchain: new FixtureBlockHashes({}) as never });
    hang.arm(9, 1, 'wait');
    const run = { block: s.block, accelerator: accel(), pool, mode: 'parallel', skipBlockValidation: true, skipHeaderValidation: true, generate: true } as const;
    const err = await runBlockAccelerated(vm, { ...run, workerStallMs: STALL_MS, maxWorkerRestarts: 0 }).catch((e: unknown) => e);
    expect(hang.left).toBe(0);
    expect(err).toBeInstanceOf(WorkerFailureError);
    expect((err as Error).message).toMatch(/limit 500 ms\) in the middle of block \d+, after 0 restarts$/);
    expect(bytesToHex(await stateManager.getStateRoot())).toBe(before);
    await expectSequential(s, await runBlockAccelerated(vm, run));
  });
});

/** A source over a state manager whose reads of one account misbehave. */
function faultySource(inner: StateSource, victim: string, fault: 'hang' | 'throw'): StateSource {
  return {
    getAccount: (address: Uint8Array) => {
      if (bytesToHex(address) === victim) {
        return fault === 'hang' ? new Promise(() => {}) : Promise.reject(new Error('disk I/O error'));
      }
      return inner.getAccount(address);
    },
    getCode: (a) => inner.getCode(a),
    getStorage: (a, s) => inner.getStorage(a, s),
    getBlockHash: (n) => inner.getBlockHash(n),
  };
}

describe('a state source that fails is a StateSourceError, never a TxError, and leaves the pre-state', () => {
  for (const fault of ['hang', 'throw'] as const) {
    it(`a read that ${fault === 'hang' ? 'never answers (readTimeoutMs)' : 'throws'}`, async () => {
      const fx = await loadFixture('test/fixtures/mainnet/46147.json.gz');
      const hashes = new FixtureBlockHashes(fx.blockHashes);
      const sm = await stateManagerFromPreState(fx.preState);
      const before = bytesToHex(await sm.getStateRoot());
      const victim = (fx.block.transactions[0]!.to as string).toLowerCase();
      const source = faultySource(new StateManagerSource(sm, hashes), victim, fault);
      const block = await fixtureBlock(fx);
      const err = await executeBlock(block, source, { target: sm, pool, accelerator: accel(), mode: 'parallel', readTimeoutMs: 500 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateSourceError);
      expect(err).not.toBeInstanceOf(TxError);
      expect((err as StateSourceError).key).toBe(`a${victim.slice(2)}`);
      expect((err as Error).message).toMatch(fault === 'hang' ? /no answer from the state source within 500 ms/ : /disk I\/O error/);
      expect(bytesToHex(await sm.getStateRoot())).toBe(before);
      // The same pool, the same state manager: the block runs right once the source behaves.
      const r = await executeBlock(block, new StateManagerSource(sm, hashes), { target: sm, pool, accelerator: accel(), mode: 'parallel' });
      expect(r.gasUsed).toBe(block.header.gasUsed);
    });
  }
});

