import { createAccelerator, type BackendInfo, type BatchPlan, type KernelName } from '../../index.js';
import { parseCommandLine } from '../usage.js';
import { formatRate } from '../../bench/timing.js';

/** Batch sizes at which `info` states how a batch is checked. */
const PLAN_SIZES = [256, 4096, 65_536, 1 << 20];
const KERNELS: KernelName[] = ['keccak256', 'ecrecover'];

const RULES = {
  sample:
    'each part of a batch has max(1, ⌊(2% of its estimated time − the checker’s latency) ÷ the checker’s time per item⌋) random items recomputed on an independent backend while it runs; every null re-checked on a CPU backend; composed addresses checked against the Keccak of their keys',
  full: 'every item recomputed on an independent backend',
  none: 'nothing checked (benchmarks only)',
} as const;

/**
 * `evm-accel info [--json] [--all]`: the backends found, their devices and calibration (and whether
 * it came from the cache), why any is missing, where batches go by size, and how they are checked.
 * Waits for the devices being calibrated; `--all` also measures emulated devices that routing never
 * puts first (SwiftShader, the Verilator model: tens of seconds), whose figures are then cached.
 */
export async function info(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    options: { json: { type: 'boolean', default: false }, all: { type: 'boolean', default: false } },
  });
  const accel = await createAccelerator();
  try {
    const backends = await accel.ready({ all: values.all });
    const routing = accel.routing();
    const plans = KERNELS.flatMap((k) => PLAN_SIZES.map((n) => accel.plan(k, n)));
    if (values.json) {
      process.stdout.write(JSON.stringify({ backends, routing, verification: { level: routing.verify, rule: RULES[routing.verify], plans } }) + '\n');
      return 0;
    }
    for (const b of backends) writeBackend(b);
    process.stdout.write('\nrouting (batch size: backends)\n');
    for (const k of KERNELS) {
      const segs = routing.kernels[k];
      const text = segs.map((s, i) => `${range(s.from, segs[i + 1]?.from)} ${s.backends.join(' + ')}`).join(' · ');
      process.stdout.write(`  ${k.padEnd(10)} ${text || 'no backend'}\n`);
    }
    process.stdout.write(`\nverification: ${routing.verify}: ${RULES[routing.verify]}\n`);
    if (routing.verify !== 'none') writeChecks(plans);
    return 0;
  } finally {
    await accel.close();
  }
}

function writeBackend(b: BackendInfo): void {
  const out = (s: string) => process.stdout.write(`${''.padEnd(12)}${s}\n`);
  process.stdout.write(`${b.name.padEnd(11)} ${b.status.padEnd(12)} ${b.kind.padEnd(9)} ${b.device}\n`);
  if (b.kernels.length) out(`kernels: ${b.kernels.join(', ')}`);
  const cal = b.calibration;
  if (cal) {
    const figures = Object.entries(cal.kernels)
      .map(([k, c]) => `${k} ${formatRate(c.itemsPerSecond)} + ${c.latencyMs.toFixed(3)} ms per batch`)
      .join(', ');
    out(`calibrated: ${figures} (${cal.source === 'cache' ? `from the calibration cache, measured ${cal.measuredAt}` : 'measured now'})`);
  } else if (b.status === 'ready') {
    out('not measured: an emulated device beside hardware ones, which routing never puts first (info --all measures it)');
  }
  for (const [k, v] of Object.entries(b.details ?? {})) out(`${k}: ${String(v)}`);
  if (b.reason) out(`why: ${b.reason}`);
}

function writeChecks(plans: BatchPlan[]): void {
  for (const p of plans) {
    const parts = p.parts
      .map((part) => {
        const c = part.check;
        if (!c) return `${part.items.toLocaleString('en-US')} on ${part.backend}: not checked (the reference itself)`;
        return `${part.items.toLocaleString('en-US')} on ${part.backend}: ${c.items.toLocaleString('en-US')} checked by ${c.by}, P(one wrong item caught) = ${percent(c.detection)}`;
      })
      .join('; ');
    process.stdout.write(`  ${p.kernel.padEnd(10)} ${p.batchSize.toLocaleString('en-US').padStart(9)} items: ${parts}\n`);
  }
}

function range(from: number, next: number | undefined): string {
  if (next === undefined) return `${from.toLocaleString('en-US')}+`;
  return next - 1 === from ? `${from}` : `${from.toLocaleString('en-US')}–${(next - 1).toLocaleString('en-US')}`;
}

function percent(p: number): string {
  return p >= 0.1 ? `${(p * 100).toFixed(0)}%` : p >= 0.001 ? `${(p * 100).toFixed(2)}%` : `${(p * 100).toPrecision(2)}%`;
}
