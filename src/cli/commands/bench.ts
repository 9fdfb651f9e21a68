import { createAccelerator, type Accelerator, type BackendInfo, type BackendName, type VerifyLevel } from '../../index.js';
import type { VerifyVariant } from '../../bench/contenders.js';
import { benchEcrecover } from '../../bench/ecrecover.js';
import { benchKeccak } from '../../bench/keccak.js';
import { formatTable, type KernelBenchResult } from '../../bench/kernel-bench.js';
import { writeReport } from '../../bench/report/html-report.js';
import { blockSummary } from '../../bench/report/block-summary.js';
import { BIG_BLOCKS, formatBlockBench, runBlockBench, type BlockBenchResult } from '../../bench/block.js';
import { machineInfo } from '../../bench/machine.js';
import { resultsDir, writeResults } from '../../bench/results-file.js';
import { parseBackend, requireForcedBackend } from '../accelerator-options.js';
import { intListOption, intOption, MAX_WORKERS, parseCommandLine, UsageError } from '../usage.js';

const KINDS = ['keccak', 'ecrecover', 'block'] as const;
type Kind = (typeof KINDS)[number];

/** The evm-accel backends to measure: the forced one, or every ready one but the JS reference. */
function measuredBackends(backends: BackendInfo[], forced: BackendName | undefined): BackendName[] {
  if (forced) return [forced];
  return backends.filter((b) => b.status === 'ready' && b.name !== 'cpu-js').map((b) => b.name);
}

/**
 * A calibrated accelerator over every backend (a forced one is named per call, so its checks and
 * their figures are the default accelerator's), with the backends to measure calibrated too:
 * emulated devices, which routing leaves unmeasured, are measured when they are benchmarked.
 */
async function openCalibrated(verify: VerifyLevel, forced: BackendName | undefined): Promise<{ accel: Accelerator; infos: BackendInfo[] }> {
  const accel = await createAccelerator({ verify });
  let infos = await accel.ready();
  const measured = measuredBackends(infos, forced);
  if (infos.some((b) => measured.includes(b.name) && b.status === 'ready' && !b.calibration)) infos = await accel.ready({ all: true });
  return { accel, infos };
}

const LEVELS: readonly VerifyLevel[] = ['sample', 'none', 'full'];

/** `--verify` levels: 'sample' (the default the accelerator is created with) always, and the others asked for. */
function parseVerify(value: string | undefined, quick: boolean): VerifyLevel[] {
  const asked = (value ?? (quick ? 'sample,none' : LEVELS.join(','))).split(',');
  for (const l of asked) if (!(LEVELS as readonly string[]).includes(l)) throw new UsageError(`--verify takes ${LEVELS.join(', ')}; got '${l}'`);
  return LEVELS.filter((l) => l !== 'sample' && asked.includes(l));
}

/**
 * `evm-accel bench [keccak|ecrecover|block] [--backend B] [--workers 1,2] [--quick] [--max-batch N] [--verify sample,none,full] [--out DIR] [--json] [--report DIR]`:
 * progress on stderr, a table (or with --json one JSON object) on stdout, JSON in ./bench-results/ (or --out DIR);
 * `--report DIR` also writes DIR/report.html with an SVG chart per benchmark and the results it drew from.
 */
export async function bench(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    allowPositionals: true,
    options: {
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'max-batch': { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      workers: { type: 'string' },
      verify: { type: 'string' },
    },
  });
  const kinds = positionals.length ? positionals : [...KINDS];
  for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new UsageError(`unknown benchmark '${k}' (known: ${KINDS.join(', ')})`);
  const forced = parseBackend(values.backend);
  const workers = intListOption('workers', values.workers ?? (values.quick ? '2' : '1,2'), 1, MAX_WORKERS);
  const maxBatch = intOption('max-batch', values['max-batch'], 1, 1 << 24) ?? (values.quick ? 4096 : 65536);
  const otherLevels = parseVerify(values.verify, values.quick);
  const out = resultsDir(values.out);
  const results: Record<string, KernelBenchResult & { file: string }> = {};
  const { accel, infos } = await openCalibrated('sample', forced);
  const machine = machineInfo(infos);
  // The same backends under the other verification levels: what each level costs.
  const variants: VerifyVariant[] = [];
  try {
    requireForcedBackend(accel, forced);
    for (const verify of otherLevels) variants.push({ verify, accel: (await openCalibrated(verify, forced)).accel });
    const backends = measuredBackends(infos, forced);
    for (const kind of kinds.filter((k): k is Exclude<Kind, 'block'> => k !== 'block')) {
      const r =
        kind === 'keccak'
          ? await benchKeccak(accel, { backends, quick: values.quick, variants })
          : await benchEcrecover(accel, {
              backends,
              quick: values.quick,
              maxBatch,
            });
      const file = writeResults(kind, r, out);
      results[kind] = { ...r, file };
      if (!values.json) process.stdout.write(`\n${kind} on ${r.machine.cpu}, ${r.machine.cores} cores\n${formatTable(r)}results: ${file}\n`);
    }
  } finally {
    await Promise.all([accel, ...variants.map((v) => v.accel)].map((a) => a.close()));
  }
  // The block benchmark opens its own accelerator and worker pools: run it with the kernels' closed.
  let block: (BlockBenchResult & { file: string }) | undefined;
  if (kinds.includes('block')) {
    const r = await runBlockBench({
      workers,
      reps: 1,
      backend: forced,
      blocks: values.quick ? BIG_BLOCKS.slice(0, 1) : BIG_BLOCKS,
      synthetic: !values.quick,
    });
    block = { ...r, file: writeResults('block', r, out) };
    if (!values.json) process.stdout.write(`\n${formatBlockBench(r)}results: ${block.file}\n`);
  }
  if (values.json) process.stdout.write(JSON.stringify({ ...results, ...(block && { block }) }) + '\n');
  if (values.report) {
    const page = writeReport(values.report, {
      ...(results.keccak && { keccak: results.keccak }),
      ...(results.ecrecover && { ecrecover: results.ecrecover }),
      ...(block && { blocks: blockSummary(block, machine) }),
    });
    // With --json, stdout holds only the JSON object.
    (values.json ? process.stderr : process.stdout).write(`report: ${page}\n`);
  }
  return 0;
}
