/**
 * Regenerates test/fixtures/built/: `node test/helpers/built-blocks/generate.mjs`. Deterministic
 * (fixed keys, fixed timestamps, no randomness), so a rerun rewrites identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { daoChain, osakaChain, pragueChain } from './scenarios.js';

const dir = new URL('../../fixtures/built/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const make of [pragueChain, osakaChain, daoChain]) {
  for (const b of await make()) {
    const file = new URL(`${b.name}.json.gz`, dir);
    writeFileSync(file, gzipSync(JSON.stringify(b.fixture), { level: 9 }));
    const f = b.fixture;
    process.stdout.write(`${b.name}: ${f.hardfork}, ${f.block.transactions.length} txs, gas ${f.expected!.gasUsed}, requests ${f.requests?.map((r) => (r.length - 4) / 2).join('/') ?? '-'}\n`);
  }
}
