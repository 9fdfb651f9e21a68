/**
 * `bench block`: plain ethereumjs runBlock vs the parallel executor with 1 and 2 workers, side by
 * side in one process, on the biggest mainnet fixture blocks and on synthetic 1,000-transfer and
 * 1,000-ERC-20 blocks. Reports times, speed-ups and re-execution counts; JSON goes to
 * bench/results/ naming the machine. Progress on stderr, table on stdout.
 *
 *   node dist/bench/block.js [--workers 1,2] [--reps 1] [--backend cpu-js] [--blocks 13217637,...] [--out bench/results]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseBackend } from '../src/cli/accelerator-options.js';
import { BIG_BLOCKS, formatBlockBench, runBlockBench } from '../src/bench/block.js';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workers: { type: 'string', default: '1,2' },
      reps: { type: 'string', default: '1' },
      backend: { type: 'string' },
      blocks: { type: 'string' },
      'no-synthetic': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const result = await runBlockBench({
    workers: values.workers.split(',').map(Number),
    reps: Number(values.reps),
    backend: parseBackend(values.backend),
    blocks: values.blocks ? values.blocks.split(',').map(Number) : BIG_BLOCKS,
    synthetic: !values['no-synthetic'],
  });
  process.stdout.write(formatBlockBench(result));
  await mkdir(values.out, { recursive: true });
  const file = join(values.out, `block-${result.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(result, null, 2) + '\n');
  process.stderr.write(`wrote ${file}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench block: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
