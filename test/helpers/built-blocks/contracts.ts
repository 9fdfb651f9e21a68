/**
 * Contracts and calldata of the built test blocks: probes that log what an opcode or precompile
 * returns (so the receipts, hence the receipts root, commit to every answer), delegation targets
 * for EIP-7702, and encoders for deposits and EIP-7002/7251 requests.
 */
import { bigIntToBytes, concatBytes, hexToBytes, setLengthLeft, type PrefixedHexString } from '@ethereumjs/util';
import { sha256 } from '@noble/hashes/sha2.js';
import { assemble } from './evm-asm.js';

/**
 * Calls one precompile or contract many times. Calldata: target (32 bytes), then per call
 * gas (32) ‖ length (32) ‖ input. Each call is a STATICCALL with exactly that gas; its return
 * data is logged with topics (call index, success).
 */
export const BATCH_CALLER = assemble([
  0x20, 0, // j = 0, cursor = 32            stack: j cur
  ':loop',
  'DUP2', 'CALLDATASIZE', 'GT', 'ISZERO', '@end', 'JUMPI', // while calldatasize > cursor
  'DUP2', 0x20, 'ADD', 'CALLDATALOAD', // len j cur
  'DUP1', 'DUP4', 0x40, 'ADD', 0, 'CALLDATACOPY', // memory[0..len] = input
  0, 0, 'DUP3', 0, 0, 'CALLDATALOAD', 'DUP8', 'CALLDATALOAD', // gas target 0 len 0 0 len j cur
  'STATICCALL', // ok len j cur
  'RETURNDATASIZE', 0, 0, 'RETURNDATACOPY',
  'DUP1', 'DUP4', 'RETURNDATASIZE', 0, 'LOG2', // log(returndata; j, ok)
  'POP', 0x40, 'ADD', 'DUP3', 'ADD', 'SWAP2', 'POP', 1, 'ADD', // j+1, cur + 64 + len
  '@loop', 'JUMP',
  ':end', 'STOP',
]);

/** One call of {@link BATCH_CALLER}. */
export interface ProbeCall {
  gas: bigint;
  input: Uint8Array;
}

export function batchCalldata(target: PrefixedHexString, calls: readonly ProbeCall[]): Uint8Array {
  return concatBytes(word(hexToBytes(target)), ...calls.flatMap((c) => [word(bigIntToBytes(c.gas)), word(bigIntToBytes(BigInt(c.input.length))), c.input]));
}

/** Logs BLOCKHASH(n) (topic n) for every 32-byte word n of its calldata. */
export const BLOCKHASH_PROBE = wordLoop(['DUP1', 'BLOCKHASH', 0, 'MSTORE', 0x20, 0, 'LOG1']);

/** Logs CLZ(x) (topic x) for every 32-byte word x of its calldata; CLZ exists from Osaka (EIP-7939). */
export const CLZ_PROBE = wordLoop(['DUP1', 'CLZ', 0, 'MSTORE', 0x20, 0, 'LOG1']);

/** Runs `body` with the word on the stack (it must leave the stack as it found it, the word consumed). */
function wordLoop(body: (string | number)[]): Uint8Array {
  return assemble([
    0, // i
    ':loop',
    'DUP1', 'CALLDATASIZE', 'GT', 'ISZERO', '@end', 'JUMPI',
    'DUP1', 'CALLDATALOAD', // x i
    ...body, // i
    0x20, 'ADD', '@loop', 'JUMP',
    ':end', 'STOP',
  ]);
}

/** Delegation target: counts calls in slot 0 of the account it runs for, logs (ADDRESS, CALLER). */
export const COUNTER_DELEGATE = assemble([0, 'SLOAD', 1, 'ADD', 0, 'SSTORE', 'CALLER', 'ADDRESS', 0, 0, 'LOG2', 'STOP']);

/** Delegation target: stores CALLVALUE in slot 1 and pays its caller 1 wei from the account it runs for. */
export const PAYING_DELEGATE = assemble(['CALLVALUE', 1, 'SSTORE', 0, 0, 0, 0, 1, 'CALLER', 'GAS', 'CALL', 'POP', 'STOP']);

/** Logs EXTCODESIZE and EXTCODEHASH of the address in its calldata (a delegated account shows its designator). */
export const CODE_INSPECTOR = assemble([0, 'CALLDATALOAD', 'DUP1', 'EXTCODEHASH', 0, 'MSTORE', 'EXTCODESIZE', 0x20, 'MSTORE', 0x40, 0, 'LOG0', 'STOP']);

/** A 32-byte big-endian word of `b` (left-padded). */
export function word(b: Uint8Array): Uint8Array {
  return setLengthLeft(b, 32);
}

/** `deposit(pubkey, withdrawal_credentials, signature, deposit_data_root)` calldata for the deposit contract. */
export function depositCalldata(pubkey: Uint8Array, withdrawalCredentials: Uint8Array, signature: Uint8Array, amountWei: bigint): Uint8Array {
  const root = depositDataRoot(pubkey, withdrawalCredentials, signature, amountWei / 1_000_000_000n);
  const bytesArg = (b: Uint8Array) => concatBytes(word(bigIntToBytes(BigInt(b.length))), b, new Uint8Array((32 - (b.length % 32)) % 32));
  const args = [pubkey, withdrawalCredentials, signature].map(bytesArg);
  let offset = 4n * 32n;
  const heads: Uint8Array[] = [];
  for (const a of args) {
    heads.push(word(bigIntToBytes(offset)));
    offset += BigInt(a.length);
  }
  return concatBytes(hexToBytes('0x22895118'), ...heads, root, ...args);
}

/** The SSZ hash tree root of DepositData, as the deposit contract recomputes it. */
export function depositDataRoot(pubkey: Uint8Array, withdrawalCredentials: Uint8Array, signature: Uint8Array, amountGwei: bigint): Uint8Array {
  const amount = new Uint8Array(8);
  new DataView(amount.buffer).setBigUint64(0, amountGwei, true);
  const pubkeyRoot = sha256(concatBytes(pubkey, new Uint8Array(16)));
  const signatureRoot = sha256(concatBytes(sha256(signature.subarray(0, 64)), sha256(concatBytes(signature.subarray(64), new Uint8Array(32)))));
  return sha256(concatBytes(sha256(concatBytes(pubkeyRoot, withdrawalCredentials)), sha256(concatBytes(amount, new Uint8Array(24), signatureRoot))));
}

/** EIP-7002 request calldata: validator pubkey ‖ amount in gwei (big-endian uint64; 0 asks for a full exit). */
export function withdrawalRequest(pubkey: Uint8Array, amountGwei: bigint): Uint8Array {
  return concatBytes(pubkey, setLengthLeft(bigIntToBytes(amountGwei), 8));
}

/** EIP-7251 request calldata: source pubkey ‖ target pubkey. */
export function consolidationRequest(source: Uint8Array, target: Uint8Array): Uint8Array {
  return concatBytes(source, target);
}
