import { parseArgs } from 'node:util';
import { createAccelerator } from '../../index.js';
import { ALL_BACKENDS, type BackendName } from '../../runtime/types.js';
import { acceleratorOptions, parseBackend } from '../accelerator-options.js';
import { listFixtures } from '../../evm/fixture.js';
import type { FieldCheck } from '../../evm/outcome.js';
import { ReplayError, replayFixtures, type ReplayReport } from '../../evm/replay.js';
import { defaultWorkers, WorkerPool } from '../../evm/worker-pool.js';

const USAGE = `usage: evm-accel run-block <fixture.json.gz | folder> [--workers N] [--backend B] [--sequential] [--json]

Replays mainnet block fixtures with the parallel executor and checks everything a fixture can check:
before execution, the block hash recomputed from the header fields (it binds every header field),
parentHash (where the fixture has the parent's hash), transactionsRoot and each transaction's hash,
sha3Uncles (blocks without uncles), withdrawalsRoot (Shanghai on), blobGasUsed (Cancun on); during
it, every sender against the fixture's from; after it, gasUsed, logsBloom, receiptsRoot (Byzantium on)
and requestsHash (where computed). Each block says what it checked and what it cannot check, and why
(always the post-state root: the pre-state is partial). --sequential also runs plain ethereumjs
runBlock from the same pre-state and requires an identical outcome (state root included). --backend
names the backend that recovers senders first (${ALL_BACKENDS.join(', ')}; default: the best found,
with fallback); one that is unavailable is an error (exit 2). Exit code 0 only when every block matches.
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
  const forced = backendName && accelerator.backends.find((b) => b.name === backendName);
  if (forced && forced.status !== 'ready') {
    await accelerator.close();
    process.stderr.write(`run-block: backend ${backendName} is unavailable: ${forced.reason ?? forced.status}\n`);
    return 2;
  }
  const pool = WorkerPool.create(workers);
  let ok = true;
  try {
    // Senders of the next blocks are recovered (in one batch) while the current one executes.
    await replayFixtures(files, { pool, accelerator, sequential: values.sequential }, (file, r) => {
      if (r instanceof Error) {
        ok = false;
        const checks = r instanceof ReplayError ? r.checks : [];
        const failed = { file, match: false, error: r.message, checked: checks.map((c) => c.field), mismatches: checks.filter((c) => !c.match) };
        process.stdout.write(values.json ? JSON.stringify(failed) + '\n' : `✗ ${file}: ${r.message}${mismatchLines(failed.mismatches)}\n`);
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
  if (r.sequential) {
    s += `; runBlock ${r.sequential.ms.toFixed(0)} ms (${r.sequential.speedup.toFixed(2)}x), ${r.sequential.identical ? 'identical' : 'DIFFERENT'} state root`;
  }
  s += `\n    checked: ${r.checked.join(', ')}`;
  s += `\n    not checkable: ${r.unchecked.map((u) => `${u.field} (${u.why})`).join('; ')}`;
  return s + mismatchLines(r.mismatches) + '\n';
}

function mismatchLines(mismatches: readonly FieldCheck[]): string {
  return mismatches.map((m) => `\n    ${m.field} DIFFERS: computed ${m.got}, block says ${m.expected}`).join('');
}
