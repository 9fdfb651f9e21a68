import type { Block } from '@ethereumjs/block';
import { Hardfork } from '@ethereumjs/common';
import { UnsupportedBlockError } from '../errors.js';

/**
 * Hardforks whose block-level semantics the executor reproduces: every one @ethereumjs/common
 * 10.1.3 defines from Frontier to bpo2. Amsterdam is defined there as a draft (EIP-7928 block
 * access lists, EIP-7778/8037 block gas accounting) and is not modelled; a hardfork a newer
 * @ethereumjs/common adds is unknown here until someone checks what it changes.
 */
const SUPPORTED: ReadonlySet<string> = new Set([
  Hardfork.Chainstart, Hardfork.Homestead, Hardfork.Dao, Hardfork.TangerineWhistle, Hardfork.SpuriousDragon,
  Hardfork.Byzantium, Hardfork.Constantinople, Hardfork.Petersburg, Hardfork.Istanbul, Hardfork.MuirGlacier,
  Hardfork.Berlin, Hardfork.London, Hardfork.ArrowGlacier, Hardfork.GrayGlacier, Hardfork.MergeNetsplitBlock,
  Hardfork.Paris, Hardfork.Shanghai, Hardfork.Cancun, Hardfork.Prague, Hardfork.Osaka, Hardfork.Bpo1, Hardfork.Bpo2,
]);

/** EIPs of Amsterdam that change what happens outside a transaction's runTx (activated alone through `eips`, they are refused too). */
const UNMODELLED_EIPS = [7778, 7928, 8037, 8282];

/** Throws UnsupportedBlockError, naming the hardfork or EIP, for a block the executor cannot reproduce. */
export function assertSupported(block: Block): void {
  const c = block.common;
  const hf = c.hardfork();
  if (!SUPPORTED.has(hf)) {
    const known = c.hardforks().some((h) => h.name === hf);
    throw new UnsupportedBlockError(
      `block ${block.header.number}: hardfork ${hf} is not supported (${known ? 'a draft in the installed @ethereumjs/common' : 'unknown to this executor'}; chainstart to bpo2 are)`,
    );
  }
  const eip = UNMODELLED_EIPS.find((e) => c.isActivatedEIP(e));
  if (eip !== undefined) throw new UnsupportedBlockError(`block ${block.header.number}: EIP-${eip} is not supported`);
}
