import { describe, expect, it } from 'vitest';
import { fixtureBlock } from '../../src/evm/chain.js';
import { TxError } from '../../src/evm/errors.js';
import { loadFixture } from '../../src/evm/fixture.js';
import { checkAgainstHeader, fieldCheck } from '../../src/evm/outcome.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { replayFixture } from '../../src/evm/replay.js';
import { SenderPrefetcher } from '../../src/evm/sender-prefetch.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { executeBlockVerified } from '../../src/evm/verified-execution.js';
import { bytesToHex } from '@ethereumjs/util';
import { loadBuilt } from '../helpers/built-fixtures.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';
import { lyingRecovery } from '../helpers/lying-recovery.js';

// A block is never called invalid because of an accelerator: a wrong sender from the accelerated
// path sends the block to a re-run with senders from the reference backend, whose outcome stands.

const accel = useNativeAccelerator();
const pools = useWorkerPools([2]);
const FIXTURE = 'test/fixtures/mainnet/9068998.json.gz';

describe('a sender recovery that lies about one transaction', () => {
  it('replay: the sender differs from the fixture\'s from, the reference re-run agrees with the header', async () => {
    const fx = await loadFixture(FIXTURE);
    const liar = lyingRecovery(accel(), 1);
    const r = await replayFixture(fx, { pool: pools.get(2)!, accelerator: liar });
    expect(liar.lies).toBe(1);
    expect(r.match).toBe(true);
    expect(r.recheck).toMatchObject({ disagreed: 'accelerated', reference: 'agrees with the header' });
    expect(r.recheck!.accelerated).toMatch(/^transaction 1 \(0x[0-9a-f]{64}\): bad signature: it recovers sender/);
    expect(r.mismatches).toEqual([]);
    expect(r.gasUsed).toBe(r.expectedGasUsed);
    expect(r.receiptsRoot).toBe(r.expectedReceiptsRoot);
  });

  it('executor without the fixture\'s senders: the lie fails the transaction, the re-run gives the header\'s outcome', async () => {
    const fx = await loadFixture(FIXTURE);
    const block = await fixtureBlock(fx);
    // The lie names an account the pre-state does not have: the transaction cannot pay.
    const liar = lyingRecovery(accel(), 2);
    const v = await executeBlockVerified(block, new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes }), {
      target: await stateManagerFromPreState(fx.preState),
      pool: pools.get(2)!,
      accelerator: liar,
      judge: (res) => checkAgainstHeader(block, res),
    });
    expect(v.recheck?.disagreed).toBe('accelerated');
    expect(v.recheck?.accelerated).toMatch(/^transaction 2 .*doesn't have enough funds/);
    expect(v.checks.every((c) => c.match)).toBe(true);
    expect(v.result.gasUsed).toBe(block.header.gasUsed);
  });

  it('an authority lie (EIP-7702, Prague): the outcome differs from the header, the reference re-run agrees with it', async () => {
    const fx = await loadFixture('test/fixtures/built/22431085-prague.json.gz');
    // The batch holds the senders, then the authorities: the first authority is lied about. On the
    // parallel path the workers take authorities from the batch (inline, runTx recovers its own).
    const liar = lyingRecovery(accel(), fx.block.transactions.length);
    const r = await replayFixture(fx, { pool: pools.get(2)!, accelerator: liar, mode: 'parallel' });
    expect(liar.lies).toBe(1);
    expect(r.match).toBe(true);
    expect(r.recheck?.disagreed).toBe('accelerated');
    expect(r.recheck?.accelerated).toMatch(/stateRoot differ from the header/);
    expect(r.checked).toEqual(expect.arrayContaining(['requestsHash', 'stateRoot']));
  });

  it('a block that is invalid stays invalid, and the error says both paths agree', async () => {
    const fx = await loadFixture(FIXTURE);
    fx.block.transactions[1]!.s = '0x' + (BigInt(fx.block.transactions[1]!.s as string) - 1n).toString(16);
    const err = await replayFixture(fx, { pool: pools.get(2)!, accelerator: accel() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const cause = (err as Error).cause;
    expect(cause).toBeInstanceOf(TxError);
    expect((cause as TxError).message).toMatch(/^transaction 1 .*bad signature.*\(the re-run with senders and 7702 authorities recovered by the reference backend \(cpu-js\) agrees\)/);
  });
});

describe('an EIP-7702 authority recovery that lies, prefetched as a node would', () => {
  it('the workers apply the lie and the block fails, the re-run with reference recovery (not the prefetched signatures) agrees with the header', async () => {
    const fx = await loadBuilt('22431084-prague-fork');
    const block = await fixtureBlock(fx);
    // Item n of the batch is the block's first authorization (the senders come first).
    const liar = lyingRecovery(accel(), block.transactions.length);
    const prefetched = await new SenderPrefetcher(liar).signatures(block);
    expect(liar.lies).toBe(1);
    const target = await stateManagerFromPreState(fx.preState);
    const v = await executeBlockVerified(block, new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes }), {
      target,
      pool: pools.get(2)!,
      mode: 'parallel',
      accelerator: accel(),
      ...prefetched,
      // A built fixture's pre-state is the whole world state: its state root is checkable.
      judge: (res) => [...checkAgainstHeader(block, res), fieldCheck('stateRoot', res.stateRoot, block.header.stateRoot)],
    });
    expect(v.recheck?.disagreed).toBe('accelerated');
    // The delegation lands on the wrong account: its owner's later transaction has the wrong nonce.
    expect(v.recheck?.accelerated).toMatch(/^transaction \d+ .*nonce/);
    expect(v.recheck?.reference).toBe('agrees with the header');
    expect(v.checks.every((c) => c.match)).toBe(true);
    expect(bytesToHex(await target.getStateRoot())).toBe(fx.expected!.stateRoot);
  });
});
