import { bytesToHex } from '@ethereumjs/util';
import { describe, expect, it } from 'vitest';
import { useNativeAccelerator } from '../helpers/executor-fixtures.js';
import { fixtureBlock } from '../../src/evm/chain.js';
import { TxError } from '../../src/evm/errors.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { SenderPrefetcher } from '../../src/evm/sender-prefetch.js';
import { recoverSignatures } from '../../src/evm/senders.js';
import { loadBuilt } from '../helpers/built-fixtures.js';

const accel = useNativeAccelerator();

describe('SenderPrefetcher: several blocks in one recovery batch', () => {
  it('gives each block the senders and authorities recoverSignatures gives it; a bad signature fails only its own block', async () => {
    const good = [await loadFixture('test/fixtures/mainnet/46147.json.gz'), await loadBuilt('22431084-prague-fork')];
    const bad = structuredClone(await loadFixture('test/fixtures/mainnet/116525.json.gz'));
    bad.block.transactions[5]!.r = '0x0';
    const blocks = [await fixtureBlock(good[0]!), await fixtureBlock(bad), await fixtureBlock(good[1]!)];
    let batches = 0;
    const counting = { keccak256: accel().keccak256.bind(accel()), recoverAddresses: (s: Parameters<ReturnType<typeof accel>['recoverAddresses']>[0]) => (batches++, accel().recoverAddresses(s)) };
    const p = new SenderPrefetcher(counting);
    p.prefetch(blocks);
    for (const i of [0, 2]) {
      const got = await p.signatures(blocks[i]!);
      const alone = await recoverSignatures(blocks[i]!, accel());
      expect(bytesToHex(got.senders)).toBe(bytesToHex(alone.senders));
      expect(bytesToHex(got.senders.subarray(0, 20))).toBe((i ? good[1] : good[0])!.block.transactions[0]!.from.toLowerCase());
      expect(got.authorities.keys).toEqual(alone.authorities.keys);
      expect(got.authorities.addresses.map((a) => a && bytesToHex(a))).toEqual(alone.authorities.addresses.map((a) => a && bytesToHex(a)));
    }
    const err = await p.signatures(blocks[1]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(5);
    expect(batches).toBe(1);
    expect((await p.signatures(blocks[2]!)).authorities.keys.length, "the Prague block has authorizations").toBeGreaterThan(0);
  });
});
