import { assembleShader } from '../shader-source.js';

/**
 * The secp256k1 WGSL library in dependency order: operation-count hooks, field (mod p), scalars
 * (mod n), the GLV split, Jacobian points, and Montgomery's trick across a workgroup. WGSL has no
 * includes, so a kernel is these files concatenated with its own.
 */
export const SECP256K1_LIBRARY_FILES = [
  'secp256k1/op-count.wgsl',
  'secp256k1/field.wgsl',
  'secp256k1/scalar.wgsl',
  'secp256k1/glv.wgsl',
  'secp256k1/point.wgsl',
  'secp256k1/batch-inverse.wgsl',
] as const;

/**
 * The recovery kernel's files: the library, the point multiplication (which reads the G table
 * through the kernel's `g_entry`), Keccak-f[1600] on u32 lane pairs (from the Keccak kernel's
 * folder), the address hashing, and the three entry points with their bindings.
 */
export const SECP256K1_RECOVER_FILES = [
  ...SECP256K1_LIBRARY_FILES,
  'secp256k1/multiply.wgsl',
  'keccak/keccak_f1600.wgsl',
  'secp256k1/addresses.wgsl',
  'secp256k1/recover.wgsl',
] as const;

/** The library followed by other entry-point sources (the arithmetic tests' own kernels). */
export function assembleSecp256k1Shader(...entrySources: string[]): string {
  return [assembleShader(SECP256K1_LIBRARY_FILES), ...entrySources].join('\n');
}
