import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root: the nearest folder above this module holding a package.json, so the
 * same code finds `shaders/` when run from `src/` (vitest, tsx) and from `dist/src/` (built).
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

const cache = new Map<string, string>();

/** The text of one WGSL file, by its path under `shaders/`; read once per process. */
export function readShader(relPath: string): string {
  let text = cache.get(relPath);
  if (text === undefined) {
    text = readFileSync(join(packageRoot(), 'shaders', relPath), 'utf8');
    cache.set(relPath, text);
  }
  return text;
}

/**
 * One WGSL module from several files under `shaders/`, in order. WGSL has no includes, so a
 * shader that calls functions of another file (e.g. `keccak/keccak_f1600.wgsl`) is assembled by
 * concatenation; each part is preceded by a comment naming its file, to place compiler messages.
 */
export function assembleShader(relPaths: readonly string[]): string {
  return relPaths.map((p) => `// ---- shaders/${p}\n${readShader(p)}`).join('\n');
}
