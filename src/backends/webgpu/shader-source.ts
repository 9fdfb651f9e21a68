import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

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
