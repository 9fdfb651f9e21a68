import { createAddressFromString, bytesToHex, eoaCode7702SignAuthorization, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import { describe, expect, it } from 'vitest';
import { FixtureBlockHashes } from '../../src/evm/chain.js';
import { executeBlock } from '../../src/evm/executor.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { MVMemory, resolve } from '../../src/evm/mv-memory.js';
import { isLazy, readHolds } from '../../src/evm/read-set.js';
import { accountKey } from '../../src/evm/state-key.js';
import type { AccountValue } from '../../src/evm/state-value.js';
import { InMemoryStateSource, readSourceKey } from '../../src/evm/state-source.js';
import { addressOf, delegationBlock, SyntheticBuilder, testKey } from '../../src/evm/synthetic.js';
import { ViewStateManager } from '../../src/evm/view-state.js';
import { outcomeSummary } from '../helpers/built-fixtures.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';

// A Prague block of 1,000 transactions with 200 EIP-7702 authorizations, each authority called
// later in the block: run in parallel, it equals plain runBlock, with its re-executions counted.
const accel = useNativeAccelerator();
const pools = useWorkerPools([1, 2]);

describe('a synthetic Prague block: 1,000 transactions, 200 authorizations', () => {
  it('equals plain runBlock with 2 workers; every authority is delegated and its counter ran once', async () => {
    const s = delegationBlock(1000, 200);
    expect(s.block.transactions).toHaveLength(1000);
    const seq = await runBlockSequential(s.block, await stateManagerFromPreState(s.preState), new FixtureBlockHashes({}));
    for (const workers of [2]) {
      const target = await stateManagerFromPreState(s.preState);
      const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
      const r = await executeBlock(s.block, source, { target, pool: pools.get(workers)!, accelerator: accel(), mode: 'parallel' });
      expect(outcomeSummary(r), `${workers} workers`).toEqual(outcomeSummary(seq));
      expect(r.receipts.every((x) => 'status' in x && x.status === 1)).toBe(true);
      expect(r.executions).toBe(1000 + r.reExecutions);
      process.stderr.write(`delegation block, ${workers} workers: ${r.reExecutions} re-executions, ${r.inOrderTxs} txs in order after ${r.fallbacks} fall-back(s)\n`);
      for (const [g, j] of [[0, 0], [49, 3]] as const) {
        const authority = createAddressFromString(addressOf(testKey(`authority ${g} ${j}`)));
        expect(bytesToHex(await target.getCode(authority))).toBe(`0xef0100${'7c'.repeat(20)}`);
        expect(bytesToHex(await target.getStorage(authority, new Uint8Array(32)))).toBe('0x01');
      }
    }
  });
});

const COUNTER = '0x' + 'c7'.repeat(20);
/** JUMPDEST PUSH1 0 JUMP: loops until its gas is gone (a slow transaction that still bumps its sender's nonce). */
const BURN = Uint8Array.of(0x5b, 0x60, 0x00, 0x56);
const AUTHORITY = testKey('late authority');

/**
 * Transaction 0: the authority sends a slow transaction (its nonce 0 → 1). Transaction 1: a
 * sponsor's set-code transaction to the authority, whose authorization (nonce 1) is valid only
 * after transaction 0: run before it, the authorization is skipped and the call is a plain
 * transfer to an account without code.
 */
function lateAuthorization() {
  const b = new SyntheticBuilder('prague');
  const burner = '0x' + 'b0'.repeat(20);
  const sponsor = testKey('late sponsor');
  b.fund(addressOf(AUTHORITY), 10n ** 18n).fund(addressOf(sponsor), 10n ** 18n).fund(burner, 0n, BURN);
  b.fund(COUNTER, 0n, Uint8Array.from([0x5f, 0x54, 0x60, 0x01, 0x01, 0x5f, 0x55, 0x00]));
  b.tx(AUTHORITY, { to: burner, gasLimit: 3_000_000n });
  const auth = eoaCode7702SignAuthorization({ chainId: '0x1', address: COUNTER as `0x${string}`, nonce: '0x1' }, AUTHORITY);
  b.tx(sponsor, { to: addressOf(AUTHORITY), value: 1n, authorizationList: [auth], gasLimit: 200_000n });
  return b.build();
}

describe('a set-code transaction to its own authority', () => {
  it('reads the authority exactly: run before the transaction that makes its authorization valid, it fails validation', async () => {
    const s = lateAuthorization();
    const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
    const base = (key: Parameters<typeof readSourceKey>[1]) => readSourceKey(source, key);
    const mv = new MVMemory();
    const view = new ViewStateManager(mv, base, (address) => source.getCode(hexToBytes(`0x${address}`)));
    const vm = await createVM({ common: s.block.common, stateManager: view });
    const tx = s.block.transactions[1]!;
    view.begin(1, s.block, tx, false);
    await runTx(vm, { tx, block: s.block, skipHardForkValidation: true, blockGasUsed: 0n });
    const key = accountKey(addressOf(AUTHORITY).slice(2));
    const seen = view.readSet().find(([k]) => k === key)![1];
    expect(isLazy(seen), 'the authority is read as a value, not a predicate').toBe(false);
    // Transaction 0 bumps the authority's nonce: the speculative run no longer holds.
    const before = await resolve(mv, key, 1, base);
    mv.record(0, { values: [[key, { ...(before as AccountValue), nonce: 1n }]], deltas: [], codes: [] });
    expect(readHolds(seen, await resolve(mv, key, 1, base))).toBe(false);
  });

  it('equals plain runBlock with 1 and 2 workers: the delegation is set and the call runs the counter', async () => {
    const s = lateAuthorization();
    const seq = await runBlockSequential(s.block, await stateManagerFromPreState(s.preState), new FixtureBlockHashes({}));
    for (const workers of [1, 2]) {
      const target = await stateManagerFromPreState(s.preState);
      const source = new InMemoryStateSource({ preState: s.preState, blockHashes: {} });
      const r = await executeBlock(s.block, source, { target, pool: pools.get(workers)!, accelerator: accel(), mode: 'parallel' });
      expect(outcomeSummary(r), `${workers} worker(s)`).toEqual(outcomeSummary(seq));
      const authority = createAddressFromString(addressOf(AUTHORITY));
      expect(bytesToHex(await target.getCode(authority))).toBe(`0xef0100${COUNTER.slice(2)}`);
      expect(bytesToHex(await target.getStorage(authority, new Uint8Array(32)))).toBe('0x01');
    }
  });
});
