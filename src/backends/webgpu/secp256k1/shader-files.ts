import { assembleShader } from '../shader-source.js';

/**
 * The secp256k1 WGSL library in dependency order: field (mod p), scalar (mod n), Jacobian points.
 * WGSL has no includes, so a kernel is these files concatenated with its entry-point file.
 */
export const SECP256K1_LIBRARY_FILES = [
  'secp256k1/field.wgsl',
  'secp256k1/scalar.wgsl',
  'secp256k1/point.wgsl',
] as const;

/**
 * The recovery kernel's files: the library, Keccak-f[1600] on u32 lane pairs (from the Keccak
 * kernel's folder), the address hashing, and the entry point with its bindings.
 */
export const SECP256K1_RECOVER_FILES = [
  ...SECP256K1_LIBRARY_FILES,
  'keccak/keccak_f1600.wgsl',
  'secp256k1/addresses.wgsl',
  'secp256k1/recover.wgsl',
] as const;

/** The library followed by other entry-point sources (the arithmetic tests' own kernels). */
export function assembleSecp256k1Shader(...entrySources: string[]): string {
  return [assembleShader(SECP256K1_LIBRARY_FILES), ...entrySources].join('\n');
}
