import { createBlock } from '@ethereumjs/block';
import { Common, Mainnet } from '@ethereumjs/common';
import { bytesToHex } from '@ethereumjs/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNativeAccelerator } from '../helpers/executor-fixtures.js';
import { fixtureBlock } from '../../src/evm/chain.js';
import { TxError, UnsupportedBlockError } from '../../src/evm/errors.js';
import { executeBlock } from '../../src/evm/executor.js';
import { loadFixture, type BlockFixture } from '../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { independentTransfers } from '../../src/evm/synthetic.js';
import { WorkerPool } from '../../src/evm/worker-pool.js';

const accel = useNativeAccelerator();
let pool: WorkerPool;
beforeAll(() => {
  pool = WorkerPool.create(2);
});
afterAll(() => pool.close());

/** Runs a fixture and returns the error, checking the target was left at the pre-state. */
async function failureOf(fx: BlockFixture): Promise<unknown> {
  const block = await fixtureBlock(fx);
  const target = await stateManagerFromPreState(fx.preState);
  const before = bytesToHex(await target.getStateRoot());
  const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
  const expectedSenders = fx.block.transactions.map((t) => t.from);
  const err = await executeBlock(block, source, { target, pool, accelerator: accel(), expectedSenders, mode: 'parallel' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(bytesToHex(await target.getStateRoot()), 'target reverted to the pre-state').toBe(before);
  return err;
}

const clone = (fx: BlockFixture): BlockFixture => structuredClone(fx);

describe('bad input gives a clear error naming the transaction, never a root', () => {
  it('a signature that recovers another sender', async () => {
    const fx = clone(await loadFixture('test/fixtures/mainnet/116525.json.gz'));
    const tx = fx.block.transactions[3]!;
    tx.s = '0x' + (BigInt(tx.s as string) - 1n).toString(16);
    const err = await failureOf(fx);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(3);
    expect((err as Error).message).toMatch(/transaction 3 \(0x[0-9a-f]{64}\): bad signature: it recovers sender 0x[0-9a-f]{40}, the block says/);
  });

  it('a signature with r = 0 that recovers nothing', async () => {
    const fx = clone(await loadFixture('test/fixtures/mainnet/116525.json.gz'));
    fx.block.transactions[5]!.r = '0x0';
    const err = await failureOf(fx);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(5);
    expect((err as Error).message).toMatch(/^transaction 5 \(0x[0-9a-f]{64}\): invalid signature: no public key recovers from it$/);
  });

  it('a sender missing from the pre-state: the transaction cannot pay, and says so', async () => {
    const fx = clone(await loadFixture('test/fixtures/mainnet/46147.json.gz'));
    delete fx.preState[fx.block.transactions[0]!.from.toLowerCase()];
    const err = await failureOf(fx);
    expect(err).toBeInstanceOf(TxError);
    expect((err as Error).message).toMatch(/^transaction 0 \(0x5c504ed4.*sender doesn't have enough funds/);
  });

  it('a transfer whose nonce the sender does not have fails the block instead of being re-run forever', async () => {
    const s = independentTransfers(6);
    const sender = s.block.transactions[3]!.getSenderAddress().toString();
    s.preState[sender]!.nonce = '0x3';
    const target = await stateManagerFromPreState(s.preState);
    const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
    const err = await executeBlock(s.block, source, { target, pool, accelerator: accel(), mode: 'parallel' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).txIndex).toBe(3);
    expect((err as TxError).problem).toMatch(/account has nonce of: 3 tx has nonce of: 0/);
  });

  it('after a block fails mid-flight, the same pool executes the next block correctly', async () => {
    const good = await loadFixture('test/fixtures/mainnet/116525.json.gz');
    const bad = clone(good);
    delete bad.preState[bad.block.transactions[15]!.from.toLowerCase()];
    const err = await failureOf(bad);
    expect((err as TxError).txIndex).toBe(15);
    const block = await fixtureBlock(good);
    const target = await stateManagerFromPreState(good.preState);
    const source = new InMemoryStateSource({ preState: good.preState, blockHashes: good.blockHashes });
    const r = await executeBlock(block, source, { target, pool, accelerator: accel(), mode: 'parallel' });
    expect(r.gasUsed).toBe(block.header.gasUsed);
    expect(bytesToHex(r.logsBloom)).toBe(bytesToHex(block.header.logsBloom));
  });

  it('a hardfork the executor does not model: Amsterdam, a draft in @ethereumjs/common', async () => {
    const common = new Common({ chain: Mainnet, hardfork: 'amsterdam' });
    const block = createBlock({ header: { number: 24_500_000n, timestamp: 1_800_000_000n, gasLimit: 30_000_000n, baseFeePerGas: 7n } }, { common });
    const target = await stateManagerFromPreState({});
    const source = new InMemoryStateSource({ preState: {}, blockHashes: {} });
    const err = await executeBlock(block, source, { target, pool }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedBlockError);
    expect((err as Error).message).toMatch(/hardfork amsterdam is not supported \(a draft in the installed @ethereumjs\/common; chainstart to bpo2 are\)/);
  });

  it('a non-positive worker count', () => {
    expect(() => WorkerPool.create(0)).toThrow(RangeError);
  });
});
