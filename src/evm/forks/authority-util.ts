/**
 * @ethereumjs/util as @ethereumjs/vm sees it inside an EVM worker: all of it, except that EIP-7702
 * authorities come from the block's recovery batch (authority-recovery.ts).
 */
export * from '@ethereumjs/util';
export { eoaCode7702RecoverAuthority } from './authority-recovery.js';
