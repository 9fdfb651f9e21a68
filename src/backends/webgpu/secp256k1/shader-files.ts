/**
 * Reads one WGSL file by its path relative to the repository's `shaders/` folder. The backend passes
 * its own loader (from disk, a bundle, or a test that swaps a file for a broken one).
 */
export type ShaderLoader = (relPath: string) => string;

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
 * The recovery kernel's own files after the library: Keccak-f[1600] on u32 lane pairs (from the
 * Keccak kernel's folder), the address hashing, and the entry point with its bindings.
 */
export const SECP256K1_RECOVER_FILES = [
  'keccak/keccak_f1600.wgsl',
  'secp256k1/addresses.wgsl',
  'secp256k1/recover.wgsl',
] as const;

/** Concatenates the library and then the given entry-point sources into one WGSL module. */
export function assembleSecp256k1Shader(load: ShaderLoader, ...entrySources: string[]): string {
  return [...SECP256K1_LIBRARY_FILES.map((f) => `// ---- ${f}\n${load(f)}`), ...entrySources].join('\n');
}
