import { bytesToHex, createAddressFromPrivateKey } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { TxError } from '../../src/evm/errors.js';
import { executeBlock } from '../../src/evm/executor.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import type { SenderRecovery } from '../../src/evm/senders.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { key } from '../helpers/built-blocks/chain-builder.js';
import { A } from '../helpers/built-blocks/scenarios.js';
import { BUILT_BLOCKS, loadBuilt, outcomeSummary } from '../helpers/built-fixtures.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';

// Every built block (Prague, Osaka, bpo1, bpo2, the forks' boundaries, the DAO fork block), run by
// executeBlock with 1, 2 and 4 workers and inline, gives exactly plain runBlock's state root,
// receipts root, requests hash, gas and bloom; and plain runBlock gives what the fixture recorded.
const accel = useNativeAccelerator();
const pools = useWorkerPools([1, 2, 4]);

describe('built blocks: executeBlock equals plain runBlock', () => {
  for (const name of BUILT_BLOCKS) {
    it(name, async () => {
      const fx = await loadBuilt(name);
      const seq = await runBlockSequential(await fixtureBlock(fx), await stateManagerFromPreState(fx.preState), new FixtureBlockHashes(fx.blockHashes));
      const want = outcomeSummary(seq);
      expect(want).toEqual({ ...fx.expected, requestsHash: fx.expected!.requestsHash });
      // Block-STM on 1, 2 and 4 workers, and the inline path (what the cost model picks for small blocks).
      for (const workers of [1, 2, 4, 0]) {
        const block = await fixtureBlock(fx);
        const target = await stateManagerFromPreState(fx.preState);
        const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
        const how = workers ? { pool: pools.get(workers)!, mode: 'parallel' as const } : { mode: 'inline' as const };
        const r = await executeBlock(block, source, { target, accelerator: accel(), ...how });
        const label = workers ? `${workers} worker(s)` : 'inline';
        expect(r.path, label).toBe(workers ? 'parallel' : 'inline');
        expect(outcomeSummary(r), label).toEqual(want);
        expect(r.requests?.map((b) => Buffer.from(b).toString('hex')), label).toEqual(fx.requests?.map((h) => h.slice(2)));
      }
    });
  }
});

describe('EIP-7702 authorities reach the workers from the batch', () => {
  it("a batch that recovers no authority leaves every delegation unset: the block fails where alice's nonce was to be bumped", async () => {
    const fx = await loadBuilt('22431084-prague-fork');
    const alice = createAddressFromPrivateKey(key('alice'));
    const a = accel();
    const run = async (accelerator: SenderRecovery) => {
      const target = await stateManagerFromPreState(fx.preState);
      const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
      await executeBlock(await fixtureBlock(fx), source, { target, pool: pools.get(2)!, accelerator, mode: 'parallel' });
      return bytesToHex(await target.getCode(alice));
    };
    const n = fx.block.transactions.length;
    const blind: SenderRecovery = {
      keccak256: (m) => a.keccak256(m),
      recoverAddresses: async (s) => (await a.recoverAddresses(s)).map((x, i) => (i < n ? x : null)),
    };
    expect(await run(a)).toBe(`0xef0100${A.counter.slice(2)}`);
    // Alice's own transaction takes the nonce her (now skipped) authorization would have given her.
    const aliceTx = fx.block.transactions.findIndex((t) => t.from.toLowerCase() === alice.toString());
    const err = await run(blind).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(aliceTx);
    expect((err as TxError).problem).toMatch(/doesn't have the correct nonce. account has nonce of: 0 tx has nonce of: 1/);
  });

  it('without an accelerator the workers recover authorities themselves, with the same result', async () => {
    const fx = await loadBuilt('22431084-prague-fork');
    const target = await stateManagerFromPreState(fx.preState);
    const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
    const r = await executeBlock(await fixtureBlock(fx), source, { target, pool: pools.get(2)!, mode: 'parallel' });
    expect(outcomeSummary(r)).toEqual({ ...fx.expected, requestsHash: fx.expected!.requestsHash });
  });
});
