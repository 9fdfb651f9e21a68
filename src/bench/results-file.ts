import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where `evm-accel bench` writes: `--out DIR`, else `./bench-results/` under the current directory.
 * Never the package's own folder, which may be read-only or inside node_modules.
 */
export function resultsDir(out: string | undefined): string {
  return resolve(out ?? 'bench-results');
}

/** Writes one run's JSON into `dir`/<name>-<timestamp>.json and returns the path. */
export function writeResults(name: string, data: unknown, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}
