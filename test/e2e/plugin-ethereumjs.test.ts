import { readdirSync } from 'node:fs';
import type { StateManagerInterface } from '@ethereumjs/common';
import { bytesToHex, createAddressFromString } from '@ethereumjs/util';
import { createVM, runBlock } from '@ethereumjs/vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccelerator, type Accelerator } from 'evm-accel';
import { acceleratedCrypto, runBlockAccelerated, WorkerPool } from 'evm-accel/ethereumjs';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { loadFixture, type BlockFixture, type PreState } from '../../src/evm/fixture.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { loadPreState, quantityBytes, slotKey, stateManagerFromPreState } from '../../src/evm/pre-state.js';

// The node plugin on every mainnet fixture: an @ethereumjs VM with evm-accel's customCrypto and
// runBlockAccelerated gives exactly plain runBlock's state root, receipts root, gas and bloom from
// the same pre-state; and a VM goes on from one block to the next.
const DIR = 'test/fixtures/mainnet';
const BLOCKS = readdirSync(DIR)
  .filter((f) => f.endsWith('.json.gz'))
  .map((f) => parseInt(f, 10))
  .sort((a, b) => a - b);

let accel: Accelerator;
let pool: WorkerPool;
beforeAll(async () => {
  accel = await createAccelerator({ backends: ['cpu-native', 'cpu-js'] });
  pool = WorkerPool.create(2);
});
afterAll(async () => {
  await pool.close();
  await accel.close();
});

const fx = (n: number) => loadFixture(`${DIR}/${n}.json.gz`);
const opts = { skipBlockValidation: true, skipHeaderValidation: true, generate: true } as const;

/** A VM over a fixture's pre-state; `accelerated` gives it evm-accel's crypto hooks. */
async function vmFor(f: BlockFixture, accelerated: boolean) {
  const crypto = accelerated ? acceleratedCrypto(accel) : undefined;
  const block = await fixtureBlock(f, crypto);
  const stateManager = await stateManagerFromPreState(f.preState);
  const vm = await createVM({ common: block.common.copy(), stateManager, blockchain: new FixtureBlockHashes(f.blockHashes) as never });
  return { vm, block, crypto };
}

function summary(r: { stateRoot: Uint8Array; receiptsRoot: Uint8Array; gasUsed: bigint; logsBloom: Uint8Array }) {
  return { stateRoot: bytesToHex(r.stateRoot), receiptsRoot: bytesToHex(r.receiptsRoot), gasUsed: r.gasUsed, logsBloom: bytesToHex(r.logsBloom) };
}

describe('runBlockAccelerated with acceleratedCrypto equals runBlock', () => {
  for (const n of BLOCKS) {
    it(`block ${n}`, async () => {
      const f = await fx(n);
      // runBlock with `opts`, run again should a point evaluation find the on-demand KZG of the
      // fixture's Common not loaded yet (the precompile would fail: see KZG_ON_DEMAND).
      const want = await runBlockSequential(await fixtureBlock(f), await stateManagerFromPreState(f.preState), new FixtureBlockHashes(f.blockHashes));
      const fast = await vmFor(f, true);
      await fast.crypto!.prefetch(fast.block);
      const got = await runBlockAccelerated(fast.vm, { block: fast.block, accelerator: accel, pool, ...opts });
      expect(summary(got)).toEqual(summary(want));
      expect(got.results.map((r) => r.totalGasSpent)).toEqual(want.results.map((r) => r.totalGasSpent));
      expect(bytesToHex(await fast.vm.stateManager.getStateRoot())).toBe(bytesToHex(want.stateRoot));
    });
  }
});

it('runs two consecutive mainnet blocks on one VM, as a node does', async () => {
  const [a, b] = [await fx(12243999), await fx(12244000)];
  const plain = await vmFor(a, false);
  const fast = await vmFor(a, true);
  for (const [f, first] of [[a, true], [b, false]] as const) {
    if (!first) {
      // The second block's fixture adds the accounts and slots the first did not touch; where both
      // hold one, the VM's post-state of the first block is the truth.
      for (const vm of [plain.vm, fast.vm]) await addMissing(vm.stateManager, a.preState, f.preState);
    }
    const blockPlain = first ? plain.block : await fixtureBlock(f);
    const blockFast = first ? fast.block : await fixtureBlock(f, fast.crypto);
    // 12244000 is Berlin's first block: the VM moves from Muir Glacier as a node's would.
    const want = await runBlock(plain.vm, { block: blockPlain, setHardfork: true, ...opts });
    const got = await runBlockAccelerated(fast.vm, { block: blockFast, accelerator: accel, pool, setHardfork: true, ...opts });
    expect(fast.vm.common.hardfork()).toBe(plain.vm.common.hardfork());
    expect(summary(got)).toEqual(summary(want));
    expect(bytesToHex(got.receiptsRoot)).toBe(bytesToHex(blockFast.header.receiptTrie));
  }
});

async function addMissing(sm: StateManagerInterface, have: PreState, next: PreState): Promise<void> {
  await loadPreState(sm, Object.fromEntries(Object.entries(next).filter(([addr]) => !(addr in have))));
  for (const [addr, acct] of Object.entries(next)) {
    if (!(addr in have)) continue;
    for (const [slot, value] of Object.entries(acct.storage)) {
      if (!(slot in have[addr]!.storage)) await sm.putStorage(createAddressFromString(addr), slotKey(slot), quantityBytes(value));
    }
  }
}

it('acceleratedCrypto answers prefetched senders from the batch and the rest on the spot', async () => {
  const f = await fx(46147);
  const { block, crypto } = await vmFor(f, true);
  await crypto!.prefetch(block);
  const senders = block.transactions.map((tx) => tx.getSenderAddress().toString());
  expect(senders).toEqual(f.block.transactions.map((t) => t.from.toLowerCase()));
  expect(crypto!.counters.prefetched).toBe(block.transactions.length);
  expect(bytesToHex(crypto!.keccak256(new TextEncoder().encode('abc')))).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
});
