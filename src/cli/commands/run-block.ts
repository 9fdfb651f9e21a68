import { createAccelerator } from '../../index.js';
import { acceleratorOptions, parseBackend, requireForcedBackend } from '../accelerator-options.js';
import { intOption, MAX_WORKERS, parseCommandLine, UsageError } from '../usage.js';
import { listFixtures, loadFixture } from '../../evm/fixture.js';
import type { FieldCheck } from '../../evm/outcome.js';
import { ReplayError, replayFixture, type ReplayReport } from '../../evm/replay.js';
import { defaultWorkers, WorkerPool } from '../../evm/worker-pool.js';

/** `evm-accel run-block`: replay fixture blocks; one JSON line per block with --json (usage: ../usage.ts). */
export async function runBlock(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    allowPositionals: true,
    options: {
      workers: { type: 'string' },
      backend: { type: 'string' },
      sequential: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one fixture or folder, got ${positionals.length}` : 'which fixture or folder?');
  const workers = intOption('workers', values.workers, 1, MAX_WORKERS) ?? defaultWorkers();
  const backendName = parseBackend(values.backend);
  let files: string[];
  try {
    files = await listFixtures(positionals[0]!);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), false);
  }
  if (files.length === 0) throw new UsageError(`no *.json.gz fixtures in ${positionals[0]}`, false);

  const accelerator = await createAccelerator(acceleratorOptions(backendName));
  let pool: WorkerPool | undefined;
  let ok = true;
  try {
    requireForcedBackend(accelerator, backendName);
    pool = WorkerPool.create(workers);
    for (const file of files) {
      try {
        const fx = await loadFixture(file);
        const { result: _result, ...report } = await replayFixture(fx, { pool, accelerator, sequential: values.sequential });
        ok &&= report.match;
        process.stdout.write(values.json ? JSON.stringify({ file, backend: backendName ?? 'auto', ...report }) + '\n' : line(report));
      } catch (e) {
        ok = false;
        const error = e instanceof Error ? e.message : String(e);
        const checks = e instanceof ReplayError ? e.checks : [];
        const failed = { file, match: false, error, checked: checks.map((c) => c.field), mismatches: checks.filter((c) => !c.match) };
        process.stdout.write(values.json ? JSON.stringify(failed) + '\n' : `✗ ${file}: ${error}${mismatchLines(failed.mismatches)}\n`);
      }
    }
  } finally {
    await pool?.close();
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
  if (r.recheck) {
    s += `\n    re-checked with reference senders: the accelerated run said ${r.recheck.accelerated}; the reference run ${r.recheck.reference}`;
    if (r.recheck.disagreed === 'accelerated') s += ' (an accelerator gave a wrong result; the reference outcome is reported)';
  }
  s += `\n    checked: ${r.checked.join(', ')}`;
  s += `\n    not checkable: ${r.unchecked.map((u) => `${u.field} (${u.why})`).join('; ')}`;
  return s + mismatchLines(r.mismatches) + '\n';
}

function mismatchLines(mismatches: readonly FieldCheck[]): string {
  return mismatches.map((m) => `\n    ${m.field} DIFFERS: computed ${m.got}, block says ${m.expected}`).join('');
}
