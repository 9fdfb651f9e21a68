import { createBlock, type Block } from '@ethereumjs/block';
import { Common, Mainnet } from '@ethereumjs/common';
import { createEOACode7702Tx, createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx';
import {
  bigIntToHex,
  bytesToHex,
  createAddressFromPrivateKey,
  eoaCode7702SignAuthorization,
  hexToBytes,
  setLengthLeft,
  type EOACode7702AuthorizationListBytesItem,
} from '@ethereumjs/util';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { KZG_ON_DEMAND } from './chain.js';
import type { PreState } from './fixture.js';

/**
 * Synthetic blocks for tests and benchmarks: signed transactions from deterministic keys, with the
 * pre-state they need. Shanghai by default (pre-Cancun, so SELFDESTRUCT still deletes); Prague for
 * EIP-7702 set-code transactions.
 */
export interface SyntheticBlock {
  block: Block;
  preState: PreState;
}

/** A deterministic private key: keccak of a label, never zero for the labels used here. */
export function testKey(label: string): Uint8Array {
  return keccak_256(new TextEncoder().encode(label));
}

export function addressOf(key: Uint8Array): string {
  return createAddressFromPrivateKey(key).toString();
}

/**
 * A minimal token: calldata is `to ‖ amount` (32 bytes each); balances live in storage at the
 * holder's address; it reverts when the sender's balance is short, and logs
 * LOG3(topic 1, from, to) with the amount as data.
 */
export const TOKEN_CODE = assembleToken();

function assembleToken(): Uint8Array {
  const body = [
    0x60, 0x20, 0x35, // amt
    0x33, 0x54, // amt bal
    0x81, 0x81, 0x10, // amt bal (bal<amt)
    0x60, 0x00, 0x57, // jumpi revert (patched below)
    0x81, 0x90, 0x03, // amt bal-amt
    0x33, 0x55, // sstore(caller, bal-amt)
    0x60, 0x00, 0x35, // amt to
    0x80, 0x54, 0x82, 0x01, // amt to balTo+amt
    0x90, 0x55, // sstore(to, balTo+amt)
    0x80, 0x60, 0x00, 0x52, // mstore(0, amt)
    0x60, 0x00, 0x35, 0x33, // amt to caller
    0x60, 0x01, 0x60, 0x20, 0x60, 0x00, 0xa3, // log3(0, 32, 1, caller, to)
    0x00,
  ];
  body[9] = body.length; // the revert JUMPDEST follows the body
  return Uint8Array.from([...body, 0x5b, 0x60, 0x00, 0x80, 0xfd]);
}

/** Runtime code `SELFDESTRUCT(CALLER)`, and init code that deploys it. */
export const SELFDESTRUCT_RUNTIME = Uint8Array.from([0x33, 0xff]);
export const DEPLOY_SELFDESTRUCT = Uint8Array.from([
  0x61, 0x33, 0xff, 0x60, 0x00, 0x52, // mstore(0, 0x33ff) → bytes 30..31
  0x60, 0x02, 0x60, 0x1e, 0xf3, // return(30, 2)
]);

const COINBASE = '0x' + 'c0'.repeat(20);
const ETHER = 10n ** 18n;

/** Where a synthetic block of each hardfork sits on mainnet. */
const FORK_BLOCK = {
  shanghai: { number: 17_100_000n, timestamp: 1_690_000_000n },
  prague: { number: 22_500_000n, timestamp: 1_750_000_000n },
} as const;

/** Builds and signs a block of transactions over the given pre-state. */
export class SyntheticBuilder {
  readonly common: Common;
  readonly preState: PreState = {};
  private readonly txs: TypedTransaction[] = [];
  private readonly nonces = new Map<string, bigint>();

  constructor(readonly hardfork: keyof typeof FORK_BLOCK = 'shanghai') {
    // From Cancun on, the on-demand KZG, as a mainnet block's Common carries it: without one,
    // ethereumjs's point-evaluation precompile would accept any proof.
    const customCrypto = new Common({ chain: Mainnet, hardfork }).isActivatedEIP(4844) ? { kzg: KZG_ON_DEMAND } : {};
    this.common = new Common({ chain: Mainnet, hardfork, customCrypto });
    this.fund(COINBASE, ETHER);
  }

  /** Gives an account balance (and optionally code and storage). */
  fund(address: string, balance: bigint, code?: Uint8Array, storage: Record<string, bigint> = {}): this {
    this.preState[address.toLowerCase()] = {
      balance: bigIntToHex(balance),
      nonce: '0x0',
      code: code ? bytesToHex(code) : '0x',
      storage: Object.fromEntries(Object.entries(storage).map(([k, v]) => [k, bigIntToHex(v)])),
    };
    return this;
  }

  /**
   * Appends a signed transaction from `key`: EIP-1559, or with an `authorizationList` an EIP-7702
   * set-code transaction (Prague).
   */
  tx(key: Uint8Array, fields: { to?: string; value?: bigint; data?: Uint8Array; gasLimit?: bigint; authorizationList?: EOACode7702AuthorizationListBytesItem[] }): this {
    const from = addressOf(key);
    const nonce = this.nonces.get(from) ?? 0n;
    this.nonces.set(from, nonce + 1n);
    const data = {
      nonce,
      to: fields.to as `0x${string}` | undefined,
      value: fields.value ?? 0n,
      data: fields.data ?? new Uint8Array(),
      gasLimit: fields.gasLimit ?? 100_000n,
      maxFeePerGas: 20n,
      maxPriorityFeePerGas: 2n,
      chainId: 1n,
    };
    const opts = { common: this.common };
    const tx = fields.authorizationList ? createEOACode7702Tx({ ...data, authorizationList: fields.authorizationList }, opts) : createFeeMarket1559Tx(data, opts);
    this.txs.push(tx.sign(key));
    return this;
  }

  build(): SyntheticBlock {
    const block = createBlock(
      {
        header: {
          ...FORK_BLOCK[this.hardfork],
          gasLimit: 1_000_000_000n,
          baseFeePerGas: 7n,
          coinbase: COINBASE as `0x${string}`,
        },
        transactions: this.txs,
        withdrawals: [],
      },
      { common: this.common },
    );
    return { block, preState: this.preState };
  }
}

/** Token calldata for a transfer. */
export function tokenTransfer(to: string, amount: bigint): Uint8Array {
  const out = new Uint8Array(64);
  out.set(setLengthLeft(hexToBytes(to as `0x${string}`), 32), 0);
  out.set(setLengthLeft(hexToBytes(bigIntToHex(amount)), 32), 32);
  return out;
}

/** `n` plain transfers between distinct accounts. */
export function independentTransfers(n: number): SyntheticBlock {
  const b = new SyntheticBuilder();
  for (let i = 0; i < n; i++) {
    const key = testKey(`sender ${i}`);
    b.fund(addressOf(key), ETHER);
    b.tx(key, { to: addressOf(testKey(`recipient ${i}`)), value: 1000n + BigInt(i), gasLimit: 21_000n });
  }
  return b.build();
}

/** `n` token transfers from distinct holders, every one to the same hot recipient. */
export function hotTokenTransfers(n: number): SyntheticBlock {
  const b = new SyntheticBuilder();
  const token = '0x' + '70'.repeat(20);
  const storage: Record<string, bigint> = {};
  const hot = addressOf(testKey('hot recipient'));
  for (let i = 0; i < n; i++) {
    const key = testKey(`holder ${i}`);
    storage[addressOf(key)] = 1_000_000n;
    b.fund(addressOf(key), ETHER);
    b.tx(key, { to: token, data: tokenTransfer(hot, 10n + BigInt(i)) });
  }
  b.fund(token, 0n, TOKEN_CODE, storage);
  return b.build();
}

/** `n` token transfers between distinct holders and recipients (the ERC-20 benchmark block). */
export function independentTokenTransfers(n: number): SyntheticBlock {
  const b = new SyntheticBuilder();
  const token = '0x' + '71'.repeat(20);
  const storage: Record<string, bigint> = {};
  for (let i = 0; i < n; i++) {
    const key = testKey(`holder ${i}`);
    storage[addressOf(key)] = 1_000_000n;
    b.fund(addressOf(key), ETHER);
    b.tx(key, { to: token, data: tokenTransfer(addressOf(testKey(`token recipient ${i}`)), 10n + BigInt(i)) });
  }
  b.fund(token, 0n, TOKEN_CODE, storage);
  return b.build();
}

/** `n` transfers from one sender (an exchange's hot wallet) to distinct recipients: a nonce chain. */
export function sameSenderTransfers(n: number): SyntheticBlock {
  const b = new SyntheticBuilder();
  const key = testKey('hot wallet');
  b.fund(addressOf(key), ETHER);
  for (let i = 0; i < n; i++) b.tx(key, { to: addressOf(testKey(`customer ${i}`)), value: 1_000n + BigInt(i), gasLimit: 21_000n });
  return b.build();
}

/** A chain: each account forwards what it just received, so every transaction depends on the previous one. */
export function dependentChain(n: number): SyntheticBlock {
  const b = new SyntheticBuilder();
  const keys = Array.from({ length: n + 1 }, (_, i) => testKey(`chain ${i}`));
  b.fund(addressOf(keys[0]!), ETHER);
  let amount = ETHER / 2n;
  for (let i = 0; i < n; i++) {
    b.tx(keys[i]!, { to: addressOf(keys[i + 1]!), value: amount, gasLimit: 21_000n });
    amount -= 21_000n * 20n; // what the next sender keeps for its own fee (gas limit × max fee)
  }
  return b.build();
}

/**
 * Creation and destruction in one block: a contract is deployed and then destroyed by a later
 * transaction; another is created and destroyed inside one transaction; a reverting and an
 * out-of-gas token transfer; a transfer into the destroyed account afterwards.
 */
export function lifecycleBlock(): SyntheticBlock {
  const b = new SyntheticBuilder();
  const deployer = testKey('deployer');
  const user = testKey('user');
  const token = '0x' + '72'.repeat(20);
  b.fund(addressOf(deployer), ETHER).fund(addressOf(user), ETHER);
  b.fund(token, 0n, TOKEN_CODE, { [addressOf(user)]: 100n });
  const created = createdAddress(addressOf(deployer), 0n);
  b.tx(deployer, { data: DEPLOY_SELFDESTRUCT, gasLimit: 200_000n }); // deploys SELFDESTRUCT(CALLER)
  b.tx(user, { to: created, value: 5n }); // destroys it, beneficiary user
  b.tx(deployer, { data: SELFDESTRUCT_RUNTIME, gasLimit: 200_000n }); // created and destroyed in one tx
  b.tx(user, { to: token, data: tokenTransfer(addressOf(deployer), 1_000n) }); // reverts: balance 100
  b.tx(user, { to: token, data: tokenTransfer(addressOf(deployer), 10n), gasLimit: 21_000n + 1_100n + 2_000n }); // out of gas
  b.tx(user, { to: token, data: tokenTransfer(addressOf(deployer), 10n) }); // succeeds
  b.tx(deployer, { to: created, value: 7n, gasLimit: 21_000n }); // re-creates the destroyed address as a plain account
  return b.build();
}

/** Runtime code of a call counter: slot 0 += 1 in the storage of the account it runs for. */
const COUNTER_CODE = Uint8Array.from([0x5f, 0x54, 0x60, 0x01, 0x01, 0x5f, 0x55, 0x00]);

/**
 * A Prague block of `n` transactions carrying `authorizations` EIP-7702 authorizations, in segments
 * of 20: a sponsor's set-code transaction delegating 4 fresh authorities to a counter, right after
 * it one call to each of the 4 (running the counter in the authority's storage: it depends on the
 * set-code transaction, and a worker that runs it first must run it again), then token transfers
 * between distinct holders.
 */
export function delegationBlock(n = 1000, authorizations = 200): SyntheticBlock {
  const segments = authorizations / 4;
  if (!Number.isInteger(segments) || segments * 20 !== n) throw new RangeError('delegationBlock: n must be 5 × authorizations, authorizations a multiple of 4');
  const b = new SyntheticBuilder('prague');
  const counter = '0x' + '7c'.repeat(20);
  const token = '0x' + '73'.repeat(20);
  b.fund(counter, 0n, COUNTER_CODE);
  const holders: Record<string, bigint> = {};
  let holder = 0;
  const transfer = () => {
    const key = testKey(`delegation holder ${holder}`);
    holders[addressOf(key)] = 1_000_000n;
    b.fund(addressOf(key), ETHER);
    b.tx(key, { to: token, data: tokenTransfer(addressOf(testKey(`delegation recipient ${holder}`)), 10n + BigInt(holder++)) });
  };
  for (let g = 0; g < segments; g++) {
    const authorities = [0, 1, 2, 3].map((j) => testKey(`authority ${g} ${j}`));
    const sponsor = testKey(`sponsor ${g}`);
    b.fund(addressOf(sponsor), ETHER);
    const list = authorities.map((k) => eoaCode7702SignAuthorization({ chainId: '0x1', address: counter as `0x${string}`, nonce: '0x0' }, k));
    b.tx(sponsor, { to: addressOf(sponsor), authorizationList: list, gasLimit: 200_000n });
    for (const [j, k] of authorities.entries()) {
      const caller = testKey(`delegation caller ${g} ${j}`);
      b.fund(addressOf(caller), ETHER);
      b.tx(caller, { to: addressOf(k) });
    }
    for (let t = 0; t < 15; t++) transfer();
  }
  b.fund(token, 0n, TOKEN_CODE, holders);
  return b.build();
}

/** CREATE's address: keccak(rlp([sender, nonce]))[12:], for nonces below 0x80. */
export function createdAddress(sender: string, nonce: bigint): string {
  const s = hexToBytes(sender as `0x${string}`);
  const n = nonce === 0n ? [0x80] : [Number(nonce)];
  const rlp = Uint8Array.from([0xc0 + 21 + n.length, 0x94, ...s, ...n]);
  return bytesToHex(keccak_256(rlp).slice(12));
}
