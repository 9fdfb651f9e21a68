import type { Block } from '@ethereumjs/block';
import { RLP } from '@ethereumjs/rlp';
import { Capability, type TypedTransaction } from '@ethereumjs/tx';
import { bigIntToBytes, bytesToHex, setLengthLeft } from '@ethereumjs/util';
import type { Accelerator, Signature } from '../runtime/types.js';
import { TxError } from './errors.js';

/** The two accelerator kernels sender recovery needs. */
export type SenderRecovery = Pick<Accelerator, 'recoverAddresses' | 'keccak256'>;

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Recovers every sender of a block in one batch: the signing preimages are hashed in one
 * `keccak256` batch and the signatures go to one `recoverAddresses` batch. Without an accelerator,
 * ethereumjs recovers them one by one. Returns 20 bytes per transaction; an invalid signature
 * throws a TxError naming the transaction.
 */
export async function recoverSenders(block: Block, accel?: SenderRecovery): Promise<Uint8Array> {
  const txs = block.transactions;
  const out = new Uint8Array(20 * txs.length);
  if (!accel) {
    txs.forEach((tx, i) => {
      try {
        out.set(tx.getSenderAddress().bytes, 20 * i);
      } catch (e) {
        throw new TxError(i, tx, `invalid signature: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return out;
  }
  const sigs = await transactionSignatures(block, accel);
  const addrs = await accel.recoverAddresses(sigs);
  addrs.forEach((a, i) => {
    if (!a) throw new TxError(i, txs[i]!, 'invalid signature: no public key recovers from it');
    out.set(a, 20 * i);
  });
  return out;
}

/**
 * Every transaction's signature over its signing hash, the hashes computed in one `keccak256`
 * batch; a signature ethereumjs would reject (high s after Homestead, a bad v) throws a TxError.
 */
export async function transactionSignatures(block: Block, accel: Pick<Accelerator, 'keccak256'>): Promise<Signature[]> {
  const txs = block.transactions;
  const preimages = txs.map((tx) => {
    const m = tx.getMessageToSign();
    return Array.isArray(m) ? RLP.encode(m) : m;
  });
  const hashes = await accel.keccak256(preimages);
  return txs.map((tx, i) => ({
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
