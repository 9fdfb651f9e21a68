#!/usr/bin/env bash
# Issue #12's 16-core targets in one command, under 8 minutes on the lent 16-core host:
# builds, then runs the block benchmark (runBlock, Block-STM on 1/2/4/8/16 workers, and `auto`) on
# the mainnet blocks of more than 500 transactions and the synthetic 1,000-transfer and
# 1,000-ERC-20 blocks, and prints the targets:
#   parallel gain (best N ÷ 1 worker) ≥ 4× on 1,000 independent transfers,
#   mean parallel gain with 8 workers ≥ 2.5× over the mainnet blocks, ≥ 6× over runBlock there.
# The JSON goes to bench/results/ (machine named in it).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
out=$(mktemp)
timeout 470 node dist/bench/block.js --workers 1,2,4,8,16 --reps 2 --backend cpu-native --out bench/results >"$out"
cat "$out"
node --input-type=module - <<'JS'
import { readdirSync, readFileSync } from 'node:fs';
const dir = 'bench/results';
const file = readdirSync(dir).filter((f) => /^block-.*\.json$/.test(f)).sort().pop();
const r = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
const at = (row, w) => row.parallel.find((p) => p.workers === w);
const transfers = r.rows.find((row) => row.name === '1,000 transfers');
const mainnet = r.rows.filter((row) => row.name.startsWith('mainnet') && row.txs > 500);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const gain8 = mean(mainnet.map((row) => at(row, 1).ms / at(row, 8).ms));
const over8 = mean(mainnet.map((row) => row.runBlockMs / at(row, 8).ms));
const line = (what, got, want) => console.log(`${got >= want ? 'met    ' : 'NOT met'}  ${what}: ${got.toFixed(2)}x (target ${want}x)`);
console.log(`\n#12 targets, ${r.machine.cpu}, ${r.machine.cores} cores (${file})`);
line('parallel gain, 1,000 independent transfers (best N / 1 worker)', transfers.parallelGain, 4);
line(`mean parallel gain with 8 workers, ${mainnet.length} mainnet blocks > 500 txs`, gain8, 2.5);
line('mean speed-up over runBlock with 8 workers, same blocks', over8, 6);
const slower = r.rows.filter((row) => at(row, 0).ms > row.runBlockMs).map((row) => row.name);
console.log(`${slower.length ? 'NOT met' : 'met    '}  auto never slower than runBlock${slower.length ? `: ${slower.join(', ')}` : ''}`);
console.log(`identical to runBlock in every run: ${r.rows.every((row) => row.parallel.every((p) => p.identical)) ? 'yes' : 'NO'}`);
JS
