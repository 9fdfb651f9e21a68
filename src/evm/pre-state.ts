import type { StateManagerInterface } from '@ethereumjs/common';
import { MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import type { PreState } from './fixture.js';

/** Bytes of a hex quantity as the fixtures write them (no zero padding, possibly odd length). */
export function quantityBytes(hex: string): Uint8Array {
  const digits = hex.startsWith('0x') ? hex.slice(2) : hex;
  return hexToBytes(`0x${digits.length % 2 ? '0' + digits : digits}`);
}

/** A 32-byte storage slot key from a fixture's hex quantity. */
export function slotKey(hex: string): Uint8Array {
  return setLengthLeft(quantityBytes(hex), 32);
}

/** Writes a fixture's pre-state into a state manager the way the fixtures README prescribes. */
export async function loadPreState(sm: StateManagerInterface, preState: PreState): Promise<void> {
  for (const [addr, acct] of Object.entries(preState)) {
    const address = createAddressFromString(addr);
    await sm.putAccount(address, new Account(BigInt(acct.nonce), BigInt(acct.balance)));
    if (acct.code && acct.code !== '0x') await sm.putCode(address, hexToBytes(acct.code as `0x${string}`));
    for (const [slot, value] of Object.entries(acct.storage)) {
      await sm.putStorage(address, slotKey(slot), quantityBytes(value));
    }
  }
}

/** A fresh MerkleStateManager holding a fixture's pre-state. */
export async function stateManagerFromPreState(preState: PreState): Promise<MerkleStateManager> {
  const sm = new MerkleStateManager();
  await loadPreState(sm, preState);
  return sm;
}
