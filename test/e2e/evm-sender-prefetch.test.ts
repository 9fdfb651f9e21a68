import { bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { useNativeAccelerator } from '../helpers/executor-fixtures.js';
import { fixtureBlock } from '../../src/evm/chain.js';
import { TxError } from '../../src/evm/errors.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { SenderPrefetcher } from '../../src/evm/sender-prefetch.js';
import { recoverSenders } from '../../src/evm/senders.js';

const accel = useNativeAccelerator();

describe('SenderPrefetcher: several blocks in one recovery batch', () => {
  it('gives each block the senders recoverSenders gives it; a bad signature fails only its own block', async () => {
    const good = [await loadFixture('test/fixtures/mainnet/46147.json.gz'), await loadFixture('test/fixtures/mainnet/4370000.json.gz')];
    const bad = structuredClone(await loadFixture('test/fixtures/mainnet/116525.json.gz'));
    bad.block.transactions[5]!.r = '0x0';
    const blocks = [await fixtureBlock(good[0]!), await fixtureBlock(bad), await fixtureBlock(good[1]!)];
    let batches = 0;
    const counting = { keccak256: accel().keccak256.bind(accel()), recoverAddresses: (s: Parameters<ReturnType<typeof accel>['recoverAddresses']>[0]) => (batches++, accel().recoverAddresses(s)) };
    const p = new SenderPrefetcher(counting);
    p.prefetch(blocks);
    for (const i of [0, 2]) {
      const got = await p.senders(blocks[i]!);
      expect(bytesToHex(got)).toBe(bytesToHex(await recoverSenders(blocks[i]!, accel())));
      expect(bytesToHex(got.subarray(0, 20))).toBe((i ? good[1] : good[0])!.block.transactions[0]!.from.toLowerCase());
    }
    const err = await p.senders(blocks[1]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(5);
    expect(batches).toBe(1);
  });
});
