/**
 * `bench plugin`: the node plugin as a node calls it — an @ethereumjs VM whose Common carries
 * `acceleratedCrypto`, then `runBlockAccelerated(vm, { block, accelerator })` with default options
 * (the process's warm pool, created lazily; the cost model's choice of path, learning from block to
 * block) — against plain `runBlock` on an identical VM, over every bundled mainnet block in one
 * process, the two interleaved block by block. Both skip block and header validation and generate
 * (a fixture holds neither its parent header nor the whole state); each VM's state is made before
 * its clock starts (a node has its state); KZG is loaded first, as in a node. The first block is
 * the process's first for both. JSON goes to bench/results/ naming the machine; progress on stderr.
 *
 *   node dist/bench/plugin.js [--reps 1] [--out bench/results]
 */
import { bytesToHex } from '@ethereumjs/util';
import { createVM, runBlock, type RunBlockResult } from '@ethereumjs/vm';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from '../src/bench/machine.js';
import { writeResults } from '../src/bench/results-file.js';
import { fixtureBlock, FixtureBlockHashes, loadKzgOnce } from '../src/evm/chain.js';
import { listFixtures, loadFixture, type BlockFixture } from '../src/evm/fixture.js';
import { stateManagerFromPreState } from '../src/evm/pre-state.js';
import { acceleratedCrypto, runBlockAccelerated } from '../src/plugin/ethereumjs.js';
import { packageRoot } from '../src/package-root.js';
import { createAccelerator, type Accelerator } from '../src/index.js';

const OPTS = { skipBlockValidation: true, skipHeaderValidation: true, generate: true } as const;

interface Row {
  number: number;
  txs: number;
  runBlockMs: number;
  pluginMs: number;
  speedup: number;
  identical: boolean;
}

/** One block on a fresh VM over the fixture's pre-state: milliseconds of the call, and its result. */
async function timed(f: BlockFixture, accel: Accelerator | undefined): Promise<{ ms: number; result: RunBlockResult }> {
  const crypto = accel && acceleratedCrypto(accel);
  const block = await fixtureBlock(f, crypto);
  const stateManager = await stateManagerFromPreState(f.preState);
  const vm = await createVM({ common: block.common.copy(), stateManager, blockchain: new FixtureBlockHashes(f.blockHashes) as never });
  const t0 = performance.now();
  const result = accel ? await runBlockAccelerated(vm, { block, accelerator: accel, ...OPTS }) : await runBlock(vm, { block, ...OPTS });
  return { ms: performance.now() - t0, result };
}

const same = (a: RunBlockResult, b: RunBlockResult) =>
  bytesToHex(a.stateRoot) === bytesToHex(b.stateRoot) && bytesToHex(a.receiptsRoot) === bytesToHex(b.receiptsRoot) && a.gasUsed === b.gasUsed;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { reps: { type: 'string', default: '1' }, out: { type: 'string', default: 'bench/results' } } });
  const reps = Number(values.reps);
  await loadKzgOnce();
  const accel = await createAccelerator();
  const files = await listFixtures(join(packageRoot(), 'test', 'fixtures', 'mainnet'));
  const rows: Row[] = [];
  const backends = accel.backends;
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, file] of files.entries()) {
        const f = await loadFixture(file);
        const plain = await timed(f, undefined);
        const plugin = await timed(f, accel);
        const row = { number: f.number, txs: f.block.transactions.length, runBlockMs: plain.ms, pluginMs: plugin.ms, speedup: plain.ms / plugin.ms, identical: same(plain.result, plugin.result) };
        rows.push(row);
        process.stderr.write(
          `plugin bench ${rep + 1}/${reps} ${i + 1}/${files.length}: block ${row.number} (${row.txs} txs) runBlock ${row.runBlockMs.toFixed(0)} ms, plugin ${row.pluginMs.toFixed(0)} ms (${row.speedup.toFixed(2)}x)${row.identical ? '' : ' DIFFERENT RESULT'}\n`,
        );
      }
    }
  } finally {
    await accel.close();
  }
  const runBlockMs = rows.reduce((s, r) => s + r.runBlockMs, 0);
  const pluginMs = rows.reduce((s, r) => s + r.pluginMs, 0);
  const ratios = rows.map((r) => r.speedup).sort((a, b) => a - b);
  const summary = {
    blocks: rows.length,
    txs: rows.reduce((s, r) => s + r.txs, 0),
    runBlockMs,
    pluginMs,
    speedup: runBlockMs / pluginMs,
    medianBlockSpeedup: ratios[ratios.length >> 1]!,
    slowerThanRunBlock: rows.filter((r) => r.speedup < 1).map((r) => r.number),
    allIdentical: rows.every((r) => r.identical),
  };
  process.stdout.write(
    `${summary.blocks} blocks, ${summary.txs} transactions: runBlock ${runBlockMs.toFixed(0)} ms, runBlockAccelerated ${pluginMs.toFixed(0)} ms: ${summary.speedup.toFixed(2)}x ` +
      `(per block median ${summary.medianBlockSpeedup.toFixed(2)}x, ${ratios[0]!.toFixed(2)}x to ${ratios[ratios.length - 1]!.toFixed(2)}x; slower than runBlock: ${summary.slowerThanRunBlock.join(', ') || 'none'}); results identical: ${summary.allIdentical ? 'yes' : 'NO'}\n`,
  );
  const file = writeResults('plugin', { benchmark: 'plugin', date: new Date().toISOString(), machine: machineInfo(backends), reps, summary, rows }, values.out);
  process.stderr.write(`wrote ${file}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench plugin: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
