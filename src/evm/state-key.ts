/**
 * The key space of the multi-version memory: every piece of state a transaction can read or write
 * is one key. Keys are strings (they index Maps and cross thread boundaries as they are), typed by
 * their one-letter tag; {@link parseKey} is the only place that takes one apart.
 *
 * - `a<addr>` an account (nonce, balance, code hash, storage root),
 * - `s<addr><slot>` a storage slot,
 * - `g<addr>` "storage cleared" (the account was created over or self-destructed).
 *
 * Addresses and slots are lower-case hex without 0x (40 and 64 digits). A new kind of state (an
 * account's code or delegation, a system contract's queue...) is one more tag here, one more case
 * in {@link parseKey}, and the cases the compiler then asks for where keys are read from a
 * {@link StateSource} or applied to a target; the scheduler deals only in transaction indices and
 * never sees keys.
 */

/** An account's key. */
export type AccountKey = `a${string}`;
/** A storage slot's key. */
export type StorageKey = `s${string}`;
/** The key of an account's "storage cleared" marker. */
export type ClearKey = `g${string}`;
/** Any key of the multi-version memory. */
export type StateKey = AccountKey | StorageKey | ClearKey;

/** A key taken apart: its kind and its fields (unprefixed lower-case hex). */
export type ParsedKey =
  | { kind: 'account'; address: string }
  | { kind: 'storage'; address: string; slot: string }
  | { kind: 'clear'; address: string };

/** Unprefixed lower-case hex: what keys and the code store are made of. */
export const keyHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export const accountKey = (addrHex: string): AccountKey => `a${addrHex}`;
export const storageKey = (addrHex: string, slotHex: string): StorageKey => `s${addrHex}${slotHex}`;
export const clearKey = (addrHex: string): ClearKey => `g${addrHex}`;

const ADDRESS_END = 41;

/** Takes a key apart (the inverse of the builders above). */
export function parseKey(key: StateKey): ParsedKey {
  const address = key.slice(1, ADDRESS_END);
  switch (key[0]) {
    case 'a':
      return { kind: 'account', address };
    case 's':
      return { kind: 'storage', address, slot: key.slice(ADDRESS_END) };
    case 'g':
      return { kind: 'clear', address };
  }
  throw new Error(`not a state key: ${key}`);
}

/** The address a key belongs to (every kind belongs to one account). */
export const keyAddress = (key: StateKey): string => key.slice(1, ADDRESS_END);

export const isAccountKey = (key: StateKey): key is AccountKey => key[0] === 'a';
export const isStorageKey = (key: StateKey): key is StorageKey => key[0] === 's';
export const isClearKey = (key: StateKey): key is ClearKey => key[0] === 'g';

/** The prefix every storage key of an account starts with. */
export const storagePrefix = (addrHex: string): string => `s${addrHex}`;
