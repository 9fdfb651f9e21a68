import type { Block } from '@ethereumjs/block';
import { RLP } from '@ethereumjs/rlp';
import { Capability, type TypedTransaction } from '@ethereumjs/tx';
import { bigIntToBytes, bytesToHex, setLengthLeft } from '@ethereumjs/util';
import type { Accelerator, Signature } from '../runtime/types.js';
import { TxError } from './errors.js';
import { authoritySignatures, type RecoveredAuthorities } from './forks/authorities.js';

/** The two accelerator kernels signature recovery needs. */
export type SenderRecovery = Pick<Accelerator, 'recoverAddresses' | 'keccak256'>;

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** A block's signatures recovered: 20 bytes of sender per transaction, and the EIP-7702 authorities. */
export interface RecoveredSignatures {
  senders: Uint8Array;
  authorities: RecoveredAuthorities;
}

/**
 * Recovers every signature of a block in one accelerator round: the senders' signing preimages and
 * the EIP-7702 authorizations' (0x05 ‖ rlp([chain_id, address, nonce])) hashed in one `keccak256`
 * batch, and all the signatures recovered in one `recoverAddresses` batch. An authorization from
 * which no key recovers is kept as such, for runTx to skip as EIP-7702 says; an invalid sender
 * signature throws a TxError naming the transaction. Without an accelerator, ethereumjs recovers
 * senders one by one and the workers' runTx recovers the authorities.
 */
export async function recoverSignatures(block: Block, accel?: SenderRecovery): Promise<RecoveredSignatures> {
  const txs = block.transactions;
  const senders = new Uint8Array(20 * txs.length);
  if (!accel) {
    txs.forEach((tx, i) => {
      try {
        senders.set(tx.getSenderAddress().bytes, 20 * i);
      } catch (e) {
        throw new TxError(i, tx, `invalid signature: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return { senders, authorities: { keys: [], addresses: [] } };
  }
  const auths = authoritySignatures(block);
  const hashes = await accel.keccak256([...signingPreimages(block), ...auths.map((a) => a.preimage)]);
  const authSigs: Signature[] = auths.map(({ r, s, recovery }, i) => ({ hash: hashes[txs.length + i]!, r, s, recovery }));
  const addrs = await accel.recoverAddresses([...signaturesOver(block, hashes), ...authSigs]);
  txs.forEach((tx, i) => {
    const a = addrs[i];
    if (!a) throw new TxError(i, tx, 'invalid signature: no public key recovers from it');
    senders.set(a, 20 * i);
  });
  return { senders, authorities: { keys: auths.map((a) => a.key), addresses: addrs.slice(txs.length) } };
}

/** The senders of {@link recoverSignatures}: 20 bytes per transaction. */
export async function recoverSenders(block: Block, accel?: SenderRecovery): Promise<Uint8Array> {
  return (await recoverSignatures(block, accel)).senders;
}

/**
 * Every transaction's signature over its signing hash, the hashes computed in one `keccak256`
 * batch; a signature ethereumjs would reject (high s after Homestead, a bad v) throws a TxError.
 */
export async function transactionSignatures(block: Block, accel: Pick<Accelerator, 'keccak256'>): Promise<Signature[]> {
  return signaturesOver(block, await accel.keccak256(signingPreimages(block)));
}

function signingPreimages(block: Block): Uint8Array[] {
  return block.transactions.map((tx) => {
    const m = tx.getMessageToSign();
    return Array.isArray(m) ? RLP.encode(m) : m;
  });
}

/** The transactions' signatures, given their signing hashes (the first `block.transactions.length` of `hashes`). */
function signaturesOver(block: Block, hashes: readonly Uint8Array[]): Signature[] {
  return block.transactions.map((tx, i) => ({
    hash: hashes[i]!,
    r: setLengthLeft(bigIntToBytes(tx.r ?? 0n), 32),
    s: setLengthLeft(bigIntToBytes(tx.s ?? 0n), 32),
    recovery: recoveryId(tx, i),
  }));
}

/** The recovery id exactly as ethereumjs derives it, with its high-s rule (EIP-2). */
function recoveryId(tx: TypedTransaction, i: number): 0 | 1 {
  const { v, s } = tx;
  if (v === undefined || s === undefined) throw new TxError(i, tx, 'transaction is not signed');
  if (tx.common.gteHardfork('homestead') && s > HALF_N) {
    throw new TxError(i, tx, 'invalid signature: s-values greater than secp256k1n/2 are invalid (EIP-2)');
  }
  let rec = v;
  if (v !== 0n && v !== 1n) {
    rec = tx.supports(Capability.EIP155ReplayProtection) ? v - (tx.common.chainId() * 2n + 35n) : v - 27n;
  }
  if (rec !== 0n && rec !== 1n) throw new TxError(i, tx, `invalid signature: v value ${v}`);
  return Number(rec) as 0 | 1;
}

/** Hex of a recovered sender, for messages. */
export function senderHex(senders: Uint8Array, i: number): string {
  return bytesToHex(senders.subarray(20 * i, 20 * i + 20));
}
