import { Common, Hardfork, Mainnet, Sepolia } from '@ethereumjs/common';
import { createEVM, type EVMMockBlockchainInterface } from '@ethereumjs/evm';
import { createAddressFromString, bytesToHex, hexToBytes, setLengthLeft, type PrefixedHexString } from '@ethereumjs/util';
import { createVM, runBlock, type RunBlockOpts, type VM } from '@ethereumjs/vm';
import { describe, expect, it } from 'vitest';
import type { Block } from '@ethereumjs/block';
import { UnsupportedBlockError } from '../../src/evm/errors.js';
import { fixtureBlock, FixtureBlockHashes } from '../../src/evm/chain.js';
import { loadFixture, type PreState } from '../../src/evm/fixture.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import type { Recheck } from '../../src/evm/verified-execution.js';
import { runBlockAccelerated } from '../../src/plugin/run-block.js';
import { ALICE, BOB, CAROL, basePreState, builtBlock, common, transfer, withHeader } from '../helpers/single-blocks.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';
import { lyingRecovery } from '../helpers/lying-recovery.js';

// runBlockAccelerated gives runBlock's verdict on every check runBlock (and the validation it
// calls) makes: each case is a block violating one rule, run through both on twin VMs (the
// accelerated one on the inline and on the parallel path); all reject it with the same reason
// class and leave the state as it was.

const accel = useNativeAccelerator();
const pools = useWorkerPools([2]);

/** runBlock's (and runTx's, and the block's) reasons, as classes of messages. */
const REASONS: [string, RegExp][] = [
  ['gas limit above 2^63-1', /gas limit greater than \(2\^63 - 1\)/],
  ['no header validation', /cannot validate header/],
  ['header gas limit', /gas limit increased too much/],
  ['invalid transactions', /invalid transactions/],
  ['transaction trie', /invalid transaction trie/],
  ['uncle hash', /invalid uncle hash/],
  ['withdrawals trie', /invalid withdrawals trie/],
  ['hardfork', /different hardfork than the vm/],
  ['nonce', /doesn't have the correct nonce/],
  ['funds', /doesn't have enough funds/],
  ['block gas limit', /higher gas limit than/],
  ['sender not an EOA', /is not EOA/],
  ['receiptTrie', /invalid receiptTrie/],
  ['bloom', /invalid bloom/],
  ['gasUsed', /invalid gasUsed/],
  ['stateRoot', /invalid block stateRoot/],
  ['requestsHash', /invalid requestsHash/],
];

function reason(e: unknown): string {
  if (e === undefined) return 'valid';
  const message = e instanceof Error ? e.message : String(e);
  return REASONS.find(([, re]) => re.test(message))?.[0] ?? `unclassified: ${message}`;
}

interface Twin {
  blockchain?: EVMMockBlockchainInterface;
  vmHardfork?: Hardfork;
}

async function vmOver(preState: PreState, block: Block, twin: Twin): Promise<VM> {
  return createVM({
    common: twin.vmHardfork ? common(twin.vmHardfork) : block.common.copy(),
    stateManager: await stateManagerFromPreState(preState),
    ...(twin.blockchain && { blockchain: twin.blockchain }),
  });
}

/**
 * The block through runBlock and runBlockAccelerated (parallel, then inline) on twin VMs: each
 * one's error (undefined when valid) and whether its state is back at the pre-state. The two
 * accelerated paths must agree; `fast` is the parallel one.
 */
async function verdicts(block: Block, preState: PreState, opts: Partial<RunBlockOpts> = {}, twin: Twin = {}) {
  const out = [];
  for (const mode of [undefined, 'parallel', 'inline'] as const) {
    const vm = await vmOver(preState, block, twin);
    const before = bytesToHex(await vm.stateManager.getStateRoot());
    const run = mode ? runBlockAccelerated(vm, { block, accelerator: accel(), pool: pools.get(2)!, mode, ...opts }) : runBlock(vm, { block, ...opts });
    const error = await run.then(() => undefined, (e: unknown) => e);
    const unchanged = bytesToHex(await vm.stateManager.getStateRoot()) === before;
    out.push({ error, reason: reason(error), unchanged });
  }
  const [plain, fast, inline] = out as [(typeof out)[0], (typeof out)[0], (typeof out)[0]];
  expect({ reason: inline.reason, unchanged: inline.unchanged }, 'the inline path').toEqual({ reason: fast.reason, unchanged: fast.unchanged });
  return { plain, fast };
}

const NO_HEADER = { skipHeaderValidation: true } as const;

async function validBlock(preState = basePreState(), c = common()): Promise<Block> {
  const txs = [transfer(ALICE, {}, c), transfer(ALICE, { nonce: 1 }, c), transfer(BOB, { value: 5n }, c)];
  return builtBlock(preState, { txs, common: c });
}

describe('verdict parity with runBlock: a block that violates one rule', () => {
  it('a valid block is valid on both, with the same post-state', async () => {
    const pre = basePreState();
    const block = await validBlock(pre);
    const { plain, fast } = await verdicts(block, pre, NO_HEADER);
    expect([plain.reason, fast.reason]).toEqual(['valid', 'valid']);
  });

  it('a valid Prague block (requests, 7702 authorizations, whole world state) is valid on both', async () => {
    const fx = await loadFixture('test/fixtures/built/22431085-prague.json.gz');
    const { plain, fast } = await verdicts(await fixtureBlock(fx), fx.preState, NO_HEADER, { blockchain: new FixtureBlockHashes(fx.blockHashes) });
    expect([plain.reason, fast.reason]).toEqual(['valid', 'valid']);
  });

  const cases: [string, () => Promise<{ block: Block; pre?: PreState; opts?: Partial<RunBlockOpts>; twin?: Twin }>, string, RegExp?][] = [
    ['header gas limit above 2^63-1', async () => ({ block: withHeader(await validBlock(), { gasLimit: 2n ** 63n }), opts: NO_HEADER }), 'gas limit above 2^63-1'],
    ['header not validated: the blockchain has no validateHeader', async () => ({ block: await validBlock() }), 'no header validation'],
    [
      'header rejected by vm.blockchain.validateHeader (gas limit vs parent)',
      async () => {
        const parent = withHeader(await validBlock(), { number: 0n, gasLimit: 20_000_000n });
        const chain = { ...hashesChain(() => parent.hash()), validateHeader: async (h: Block['header']) => h.validateGasLimit(parent.header) };
        return { block: await validBlock(), twin: { blockchain: chain } };
      },
      'header gas limit',
    ],
    ['a transaction below its intrinsic gas', async () => ({ block: await builtBlock(basePreState(), { txs: [transfer(ALICE, { gasLimit: 20_000 })] }, false), opts: NO_HEADER }), 'invalid transactions', /gasLimit is too low/],
    ['a transaction below the base fee', async () => ({ block: await builtBlock(basePreState(), { txs: [transfer(ALICE, { gasPrice: 5 })] }, false), opts: NO_HEADER }), 'invalid transactions', /unable to pay base fee/],
    ['transactions root', async () => ({ block: withHeader(await validBlock(), { transactionsTrie: new Uint8Array(32).fill(1) }), opts: NO_HEADER }), 'transaction trie'],
    // Proof-of-stake headers refuse any uncle hash but the empty list's: a proof-of-work block.
    ['uncle hash', async () => ({ block: withHeader(await validBlock(basePreState(), common(Hardfork.London)), { uncleHash: new Uint8Array(32).fill(1) }), opts: NO_HEADER }), 'uncle hash'],
    [
      'withdrawals root',
      async () => {
        const block = await builtBlock(basePreState(), { txs: [transfer(ALICE, {})], withdrawals: [{ index: 0n, validatorIndex: 1n, address: CAROL.address, amount: 5n }] });
        return { block: withHeader(block, { withdrawalsRoot: new Uint8Array(32).fill(1) }), opts: NO_HEADER };
      },
      'withdrawals trie',
    ],
    [
      'blob gas used without blob transactions (Cancun)',
      async () => {
        const c = common(Hardfork.Cancun);
        return { block: await builtBlock(basePreState(), { txs: [transfer(ALICE, {}, c)], header: { blobGasUsed: 131072n }, common: c }, false), opts: NO_HEADER };
      },
      'invalid transactions',
      /invalid blobGasUsed/,
    ],
    ['the block’s hardfork is not the VM’s', async () => ({ block: await validBlock(), opts: NO_HEADER, twin: { vmHardfork: Hardfork.London } }), 'hardfork'],
    [
      'a transaction with the wrong nonce',
      async () => ({ block: await builtBlock(basePreState(), { txs: [transfer(ALICE, { nonce: 1, to: null, value: 0n, gasLimit: 100_000, data: '0x00' })] }, false), opts: NO_HEADER }),
      'nonce',
    ],
    ['a sender who cannot pay', async () => ({ block: await builtBlock(basePreState(), { txs: [transfer(CAROL, { to: ALICE.address })] }, false), opts: NO_HEADER }), 'funds'],
    [
      'transactions exceeding the block gas limit',
      async () => ({ block: await builtBlock(basePreState(), { txs: [transfer(ALICE, {}), transfer(ALICE, { nonce: 1, gasLimit: 29_990_000 })] }, false), opts: NO_HEADER }),
      'block gas limit',
    ],
    [
      'a sender with code (EIP-3607)',
      async () => {
        const pre = basePreState({ [BOB.address]: { balance: '0x3635c9adc5dea00000', nonce: '0x0', code: '0x6000', storage: {} } });
        return { block: await builtBlock(pre, { txs: [transfer(BOB, {})] }, false), pre, opts: NO_HEADER };
      },
      'sender not an EOA',
    ],
    ['receipts root', async () => ({ block: withHeader(await validBlock(), { receiptTrie: new Uint8Array(32).fill(1) }), opts: NO_HEADER }), 'receiptTrie'],
    ['logs bloom', async () => ({ block: withHeader(await validBlock(), { logsBloom: new Uint8Array(256).fill(1) }), opts: NO_HEADER }), 'bloom'],
    ['gas used', async () => ({ block: withHeader(await validBlock(), { gasUsed: 21_001n }), opts: NO_HEADER }), 'gasUsed'],
    ['state root', async () => ({ block: withHeader(await validBlock(), { stateRoot: new Uint8Array(32).fill(1) }), opts: NO_HEADER }), 'stateRoot'],
    [
      'requests hash (a built Prague block over the whole world state)',
      async () => {
        const fx = await loadFixture('test/fixtures/built/22431085-prague.json.gz');
        const block = withHeader(await fixtureBlock(fx), { requestsHash: new Uint8Array(32).fill(1) });
        return { block, pre: fx.preState, opts: NO_HEADER, twin: { blockchain: new FixtureBlockHashes(fx.blockHashes) } };
      },
      'requestsHash',
    ],
    ['receipts root and gas used: runBlock’s order names the receipts root', async () => ({ block: withHeader(await validBlock(), { receiptTrie: new Uint8Array(32).fill(1), gasUsed: 1n }), opts: NO_HEADER }), 'receiptTrie'],
  ];

  it.each(cases)('%s', async (_name, make, expected, detail) => {
    const { block, pre, opts, twin } = await make();
    const { plain, fast } = await verdicts(block, pre ?? basePreState(), opts, twin);
    expect(plain.reason).toBe(expected);
    expect(fast.reason).toBe(plain.reason);
    if (detail) {
      expect(String(plain.error)).toMatch(detail);
      expect(String(fast.error)).toMatch(detail);
    }
    expect(plain.unchanged).toBe(true);
    expect(fast.unchanged).toBe(true);
  });
});

/** A blockchain for BLOCKHASH whose block n has hash `hash(n)`. */
function hashesChain(hash: (n: number) => Uint8Array): EVMMockBlockchainInterface {
  return {
    async getBlock(n: number) {
      return { hash: () => hash(n) };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
}

it('BLOCKHASH is answered by vm.evm.blockchain, as runBlock’s EVM asks it, even when the VM holds another chain', async () => {
  // NUMBER PUSH1 1 SWAP1 SUB BLOCKHASH PUSH1 0 SSTORE STOP: stores BLOCKHASH(number - 1) in slot 0.
  const contract = '0x00000000000000000000000000000000000b10c4';
  const pre = basePreState({ [contract]: { balance: '0x0', nonce: '0x1', code: '0x43600190034060005500', storage: {} } });
  const block = await builtBlock(pre, { txs: [transfer(ALICE, { to: contract, value: 0n, gasLimit: 100_000 })] }, false);
  const evmChain = hashesChain(() => new Uint8Array(32).fill(0xee));
  const vmChain = hashesChain(() => new Uint8Array(32).fill(0x11));
  const stored: string[] = [];
  for (const accelerated of [false, true]) {
    const stateManager = await stateManagerFromPreState(pre);
    const c = block.common.copy();
    const vm = await createVM({ common: c, stateManager, blockchain: vmChain, evm: await createEVM({ common: c, stateManager, blockchain: evmChain }) });
    const opts = { block, generate: true, skipBlockValidation: true } as const;
    await (accelerated ? runBlockAccelerated(vm, { ...opts, accelerator: accel(), pool: pools.get(2)! }) : runBlock(vm, opts));
    stored.push(bytesToHex(await stateManager.getStorage(createAddressFromString(contract), setLengthLeft(new Uint8Array([0]), 32))));
  }
  expect(stored).toEqual([bytesToHex(new Uint8Array(32).fill(0xee)), bytesToHex(new Uint8Array(32).fill(0xee))]);
});

it.each(['parallel', 'inline'] as const)('a sender recovery that lies about one sender (%s): the stateRoot differs, the reference re-run finds the block valid', async (mode) => {
  const pre = basePreState();
  const block = await builtBlock(pre, { txs: [transfer(ALICE, {})] });
  const vm = await vmOver(pre, block, {});
  // Bob has Alice's nonce and funds: the lie executes, to the wrong post-state.
  const liar = lyingRecovery(accel(), 0, () => hexToBytes(BOB.address as PrefixedHexString));
  const rechecks: Recheck[] = [];
  const r = await runBlockAccelerated(vm, { block, accelerator: liar, pool: pools.get(2)!, mode, ...NO_HEADER, onRecheck: (x) => rechecks.push(x) });
  expect(liar.lies).toBe(1);
  expect(rechecks).toEqual([{ disagreed: 'accelerated', accelerated: 'stateRoot differ from the header', reference: 'agrees with the header' }]);
  expect(bytesToHex(r.stateRoot)).toBe(bytesToHex(block.header.stateRoot));
  expect(bytesToHex(await vm.stateManager.getStateRoot())).toBe(bytesToHex(block.header.stateRoot));
});

it('a VM on another chain, or with EIPs beyond its hardfork, is refused rather than served mainnet rules', async () => {
  const pre = basePreState();
  const block = await validBlock(pre);
  for (const c of [new Common({ chain: Sepolia, hardfork: Hardfork.Shanghai }), new Common({ chain: Mainnet, hardfork: Hardfork.Shanghai, eips: [1153] })]) {
    const vm = await createVM({ common: c, stateManager: await stateManagerFromPreState(pre) });
    const err = await runBlockAccelerated(vm, { block, accelerator: accel(), pool: pools.get(2)!, ...NO_HEADER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedBlockError);
    expect(String(err)).toMatch(/runs mainnet rules; this VM has chain id/);
  }
});
