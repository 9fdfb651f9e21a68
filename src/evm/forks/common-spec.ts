import { Common, type ChainConfig, type CustomCrypto } from '@ethereumjs/common';

/**
 * What a worker thread needs to rebuild a block's Common: the chain's configuration (hardfork
 * schedule, blob parameters by fork, deposit contract), the hardfork and any EIPs activated on
 * top of it. Plain data, so it crosses to worker threads as it is.
 */
export interface CommonSpec {
  chain: ChainConfig;
  hardfork: string;
  eips: number[];
}

/**
 * The chain configuration a Common was made from. @ethereumjs/common keeps it protected and has no
 * getter for all of it; a worker's Common must carry the same (a custom chain, its deposit
 * contract), so it is read here, in one place.
 */
export function chainConfig(common: Common): ChainConfig {
  return (common as unknown as { _chainParams: ChainConfig })._chainParams;
}

export function commonSpec(common: Common): CommonSpec {
  return { chain: chainConfig(common), hardfork: common.hardfork(), eips: [...common.eips()] };
}

/** The Common of a {@link CommonSpec}, with the thread's own crypto. */
export function commonFromSpec(spec: CommonSpec, customCrypto: CustomCrypto): Common {
  return new Common({ chain: spec.chain, hardfork: spec.hardfork, eips: spec.eips, customCrypto });
}
