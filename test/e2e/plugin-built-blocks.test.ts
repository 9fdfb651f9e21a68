import { bytesToHex } from '@ethereumjs/util';
import { createVM, runBlock, type RunBlockResult } from '@ethereumjs/vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccelerator, type Accelerator } from 'evm-accel';
import { acceleratedCrypto, runBlockAccelerated, SenderPrefetcher, WorkerPool } from 'evm-accel/ethereumjs';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import type { BlockFixture } from '../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { BUILT_BLOCKS, loadBuilt, outcomeSummary } from '../helpers/built-fixtures.js';

// The node plugin on the built Prague, Osaka, bpo1/bpo2 and DAO fork blocks: runBlockAccelerated
// (on the parallel and on the inline path), validating as runBlock validates (block data, and the
// header's state root, receipts root, bloom, gas and requests hash: a built fixture's pre-state is
// the whole world state), gives exactly plain runBlock's result; and one VM crosses
// Cancun→Prague, Prague→Osaka, Osaka→bpo1→bpo2.
let accel: Accelerator;
let pool: WorkerPool;
beforeAll(async () => {
  accel = await createAccelerator({ backends: ['cpu-native', 'cpu-js'], calibrate: false });
  pool = WorkerPool.create(2);
});
afterAll(async () => {
  await pool.close();
  await accel.close();
});

/** Validates everything but the header's link to its parent (the fixture has no parent header). */
const validate = { skipHeaderValidation: true } as const;

async function vmOn(f: BlockFixture, blockHashes: Record<string, string>) {
  const crypto = acceleratedCrypto(accel);
  const block = await fixtureBlock(f, crypto);
  const vm = await createVM({ common: block.common.copy(), stateManager: await stateManagerFromPreState(f.preState), blockchain: new FixtureBlockHashes(blockHashes) as never });
  return { vm, crypto };
}

const requestsOf = (r: RunBlockResult) => r.requests?.map((q) => bytesToHex(q.bytes));

describe('runBlockAccelerated on the built blocks equals runBlock', () => {
  for (const name of BUILT_BLOCKS) {
    it(name, async () => {
      const f = await loadBuilt(name);
      const plain = await vmOn(f, f.blockHashes);
      const want = await runBlock(plain.vm, { block: await fixtureBlock(f), ...validate });
      for (const mode of ['parallel', 'inline'] as const) {
        const fast = await vmOn(f, f.blockHashes);
        const block = await fixtureBlock(f, fast.crypto);
        await fast.crypto.prefetch(block);
        const got = await runBlockAccelerated(fast.vm, { block, accelerator: accel, pool, mode, ...validate });
        expect(outcomeSummary(got), mode).toEqual(outcomeSummary(want));
        expect(requestsOf(got), mode).toEqual(requestsOf(want));
        expect(got.results.map((r) => r.totalGasSpent), mode).toEqual(want.results.map((r) => r.totalGasSpent));
        expect(bytesToHex(await fast.vm.stateManager.getStateRoot()), mode).toBe(f.expected!.stateRoot);
      }
    });
  }
});

/** The chains of consecutive built blocks, each crossing fork boundaries. */
const CHAINS = [
  ['22431083-cancun', '22431084-prague-fork', '22431085-prague'],
  ['23935693-prague-last', '23935694-osaka-fork', '23935695-bpo1-fork', '23935696-bpo2-fork'],
];

describe('one VM across the fork boundaries, through the plugin', () => {
  for (const names of CHAINS) {
    it(names.join(' → '), async () => {
      const blocks = await Promise.all(names.map(loadBuilt));
      const hashes = Object.assign({}, ...blocks.map((b) => b.blockHashes), ...blocks.map((b) => ({ [String(b.number)]: b.block['hash'] })));
      const { vm, crypto } = await vmOn(blocks[0]!, hashes);
      // As a node replaying a chain: every block's senders and EIP-7702 authorities in one batch, ahead.
      const built = await Promise.all(blocks.map((f) => fixtureBlock(f, crypto)));
      const ahead = new SenderPrefetcher(accel);
      ahead.prefetch(built);
      for (const [i, f] of blocks.entries()) {
        const block = built[i]!;
        await crypto.prefetch(block);
        // Not generate: the plugin checks the header's state root, requests hash and the rest, as runBlock does.
        const got = await runBlockAccelerated(vm, { block, accelerator: accel, pool, setHardfork: true, ...(await ahead.signatures(block)), ...validate });
        expect(vm.common.hardfork()).toBe(f.hardfork);
        expect(outcomeSummary(got)).toEqual({ ...f.expected, requestsHash: f.expected!.requestsHash });
      }
    });
  }
});
