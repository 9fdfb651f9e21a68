import type { Common } from '@ethereumjs/common';
import { createTxFromRLP, paramsTx } from '@ethereumjs/tx';
import { createVM } from '@ethereumjs/vm';
import { describe, expect, it } from 'vitest';
import { fixtureBlock } from '../../src/evm/chain.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { txDecodingCommon } from '../../src/evm/tx-common.js';
import { loadBuilt } from '../helpers/built-fixtures.js';

const MAINNET = new URL('../fixtures/mainnet/', import.meta.url).pathname;
/** Frontier legacy, Cancun (legacy, 2930, 1559), a built Cancun block with a blob transaction, a built Prague block with a set-code one. */
const BLOCKS = [() => loadFixture(`${MAINNET}46147.json.gz`), () => loadFixture(`${MAINNET}19929064.json.gz`), () => loadBuilt('22431083-cancun'), () => loadBuilt('22431085-prague')];
const TX_PARAMS = [...new Set(Object.values(paramsTx).flatMap((p) => Object.keys(p)))];

/** Every transaction parameter the Common has (a missing one throws in ethereumjs). */
function txParams(common: Common): Record<string, bigint | 'missing'> {
  const out: Record<string, bigint | 'missing'> = {};
  for (const name of TX_PARAMS) {
    try {
      out[name] = common.param(name);
    } catch {
      out[name] = 'missing';
    }
  }
  return out;
}

/** The block's Common as a worker has it: the VM (and its EVM) merged their parameters in. */
async function workerCommon(i: number): Promise<{ common: Common; raws: Uint8Array[] }> {
  const block = await fixtureBlock(await BLOCKS[i]!());
  const common = block.common.copy();
  await createVM({ common });
  return { common, raws: block.transactions.map((tx) => tx.serialize()) };
}

describe('txDecodingCommon', () => {
  it.each([0, 1, 2, 3])('decodes every transaction of fixture block %i as the block Common does', async (i) => {
    const { common, raws } = await workerCommon(i);
    const decoding = txDecodingCommon(common);
    const types = new Set<number>();
    for (const raw of raws) {
      const want = createTxFromRLP(raw, { common, freeze: false });
      const got = createTxFromRLP(raw, { common: decoding, freeze: false });
      types.add(got.type);
      expect(got.hash()).toEqual(want.hash());
      expect(got.toJSON()).toEqual(want.toJSON());
      expect(got.getIntrinsicGas()).toBe(want.getIntrinsicGas());
      expect(got.getSenderAddress().toString()).toBe(want.getSenderAddress().toString());
      expect(txParams(got.common)).toEqual(txParams(want.common));
      expect(got.common.hardfork()).toBe(want.common.hardfork());
    }
    expect(types.size).toBeGreaterThan(0);
  });

  it('covers legacy, access-list, fee-market, blob and set-code transactions', async () => {
    const types = new Set<number>();
    for (const i of [0, 1, 2, 3]) {
      const { common, raws } = await workerCommon(i);
      for (const raw of raws) types.add(createTxFromRLP(raw, { common: txDecodingCommon(common) }).type);
    }
    expect([...types].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('hands all transactions one Common, and merging other parameters into a copy of it changes only that copy', async () => {
    const { common, raws } = await workerCommon(1);
    const decoding = txDecodingCommon(common);
    const [a, b] = raws.slice(0, 2).map((raw) => createTxFromRLP(raw, { common: decoding }));
    // The point of it: no copy and re-merge per transaction.
    expect(a!.common).toBe(b!.common);
    expect(a!.common).not.toBe(common);
    const copy = a!.common.copy();
    copy.updateParams({ 1: { txGas: 1 } });
    expect(copy.param('txGas')).toBe(1n);
    expect(a!.common.param('txGas')).toBe(21000n);
    expect(common.param('txGas')).toBe(21000n);
  });
});
