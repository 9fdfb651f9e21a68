import { Address, eoaCode7702RecoverAuthority as recoverHere, type EOACode7702AuthorizationListBytesItem, type EOACode7702AuthorizationListItem } from '@ethereumjs/util';
import { authorizationKey, type RecoveredAuthorities } from './authorities.js';

/**
 * Inside a worker, @ethereumjs/vm's runTx imports this module's `eoaCode7702RecoverAuthority` in
 * place of @ethereumjs/util's (authority-loader.ts redirects the import): an authorization the
 * block's batch recovered is answered from it — a signature no key recovers from throws, as the
 * original does, so runTx skips it — and any other is recovered here as before.
 */

let table = new Map<string, Uint8Array | null>();
/** Authority recoveries answered from the batch and computed on the spot, since the worker started. */
export const authorityCounters = { fromBatch: 0, computed: 0 };

/** Answers the next block's authority recoveries from `authorities`. */
export function useAuthorities(authorities: RecoveredAuthorities): void {
  table = new Map(authorities.keys.map((k, i) => [k, authorities.addresses[i]!]));
}

export function eoaCode7702RecoverAuthority(input: EOACode7702AuthorizationListItem | EOACode7702AuthorizationListBytesItem): Address {
  const found = Array.isArray(input) ? table.get(authorizationKey(input)) : undefined;
  if (found === undefined) {
    authorityCounters.computed++;
    return recoverHere(input);
  }
  authorityCounters.fromBatch++;
  if (found === null) throw new Error('invalid signature: no public key recovers from the authorization (batch)');
  return new Address(found);
}
