import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
let root: string | undefined;

/**
 * The nearest folder above `from` (default: this module) holding a package.json: evm-accel's root,
 * so that shaders/, native/ and the bundled fixtures resolve the same from src/ (tests) and from
 * dist/src/ (built).
 */
export function packageRoot(from: string = HERE): string {
  if (from === HERE && root) return root;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return from === HERE ? (root = dir) : dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
