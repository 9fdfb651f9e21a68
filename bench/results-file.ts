import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

/** Writes one run's JSON into bench/results/<name>-<timestamp>.json and returns the path. */
export function writeResults(name: string, data: unknown, dir: string = join(packageRoot(), 'bench', 'results')): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}
