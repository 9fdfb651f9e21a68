import { parseArgs } from 'node:util';
import { createAccelerator } from '../../index.js';
import { ALL_BACKENDS, type BackendName } from '../../runtime/types.js';
import { acceleratorOptions, parseBackend } from '../accelerator-options.js';
import { listFixtures } from '../../evm/fixture.js';
import { replayFixtures, type ReplayReport } from '../../evm/replay.js';
import { defaultWorkers, WorkerPool } from '../../evm/worker-pool.js';

const USAGE = `usage: evm-accel run-block <fixture.json.gz | folder> [--workers N] [--backend B] [--sequential] [--json]

Replays mainnet block fixtures with the parallel executor and checks gasUsed, logsBloom and (from
Byzantium) receiptsRoot against the header. --sequential also runs plain ethereumjs runBlock from the
same pre-state and requires an identical outcome (state root included). --backend names the backend
that recovers senders first (${ALL_BACKENDS.join(', ')}; default: the best found, with fallback). Exit code 0 only when every block matches.
`;

/** `evm-accel run-block`: replay fixture blocks; one JSON line per block with --json. */
export async function runBlock(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        workers: { type: 'string' },
        backend: { type: 'string' },
        sequential: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`run-block: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const workers = values.workers === undefined ? defaultWorkers() : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`run-block: --workers must be a positive integer, got '${values.workers}'\n`);
    return 2;
  }
  let backendName: BackendName | undefined;
  try {
    backendName = parseBackend(values.backend);
  } catch (e) {
    process.stderr.write(`run-block: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  let files: string[];
  try {
    files = await listFixtures(positionals[0]!);
  } catch (e) {
    process.stderr.write(`run-block: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`run-block: no *.json.gz fixtures in ${positionals[0]}\n`);
    return 2;
  }

  const accelerator = await createAccelerator(acceleratorOptions(backendName));
  const pool = WorkerPool.create(workers);
  let ok = true;
  try {
    // Senders of the next blocks are recovered (in one batch) while the current one executes.
    await replayFixtures(files, { pool, accelerator, sequential: values.sequential }, (file, r) => {
      if (r instanceof Error) {
        ok = false;
        process.stdout.write(values.json ? JSON.stringify({ file, match: false, error: r.message }) + '\n' : `✗ ${file}: ${r.message}\n`);
        return;
      }
      const { result: _result, ...report } = r;
      ok &&= report.match;
      process.stdout.write(values.json ? JSON.stringify({ file, backend: backendName ?? 'auto', ...report }) + '\n' : line(report));
    });
  } finally {
    await pool.close();
    await accelerator.close();
  }
  return ok ? 0 : 1;
}

function line(r: ReplayReport): string {
  const mark = r.match ? '✓' : '✗';
  let s = `${mark} block ${r.number} (${r.hardfork}) ${r.txs} txs, gas ${r.gasUsed}, ${r.ms.toFixed(0)} ms`;
  s += ` (senders ${r.sendersMs.toFixed(0)} ms), ${r.workers} workers, ${r.reExecutions} re-executions`;
  if (r.fallbacks) s += `, ${r.inOrderTxs} txs in order after ${r.fallbacks} fall-back(s)`;
  s += `; checked ${r.checked.join(', ')}`;
  if (r.sequential) {
    s += `; runBlock ${r.sequential.ms.toFixed(0)} ms (${r.sequential.speedup.toFixed(2)}x), ${r.sequential.identical ? 'identical' : 'DIFFERENT'} state root`;
  }
  for (const m of r.mismatches) s += `\n    ${m.field}: got ${m.got}, header ${m.expected}`;
  return s + '\n';
}
