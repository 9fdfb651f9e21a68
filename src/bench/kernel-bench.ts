import type { Accelerator, BackendName, VerifyLevel } from '../index.js';
import type { Contender } from './contenders.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { Progress } from './progress.js';
import { formatRate, rate } from './timing.js';

export interface KernelBenchPoint {
  contender: string;
  backend?: BackendName;
  /** The accelerator's verification level (evm-accel backends). */
  verify?: VerifyLevel;
  /** Items per call. */
  batch: number;
  /** Message bytes (Keccak); absent for recovery. */
  messageBytes?: number;
  itemsPerSecond: number;
}

export interface KernelBenchResult {
  kind: 'keccak' | 'ecrecover';
  date: string;
  machine: MachineInfo;
  /** Fallbacks seen during the run: a non-zero count means some figures include another backend. */
  fallbacks: Partial<Record<BackendName, number>>;
  points: KernelBenchPoint[];
  /** Speed of each evm-accel backend (default verification) over each peer at the same batch and size. */
  ratios: { backend: string; peer: string; batch: number; messageBytes?: number; ratio: number }[];
  /** What checking costs: throughput with 'sample' and 'full' over 'none', per backend, batch and size. */
  verification?: VerificationCost[];
}

/** Throughput of one backend at one batch and size under each verification level measured. */
export interface VerificationCost {
  backend: BackendName;
  batch: number;
  messageBytes?: number;
  itemsPerSecond: Partial<Record<VerifyLevel, number>>;
  /** 'sample' ÷ 'none': 0.95 or more is the goal for batches of 4096 and up. */
  sampleOverNone?: number;
  fullOverNone?: number;
}

export interface KernelBenchPlan<In> {
  kind: 'keccak' | 'ecrecover';
  contenders: Contender<In>[];
  /** Batch sizes, and per contender the largest it runs (a slow peer's rate is flat past a point). */
  batches: number[];
  maxBatch: (c: Contender<In>) => number;
  /** Input sets: one per message size for Keccak, one for recovery. */
  inputs: { messageBytes?: number; make: (n: number) => In[] }[];
  minMs: number;
}

/** Measures every contender at every batch size, side by side in one run. */
export async function runKernelBench<In>(accel: Accelerator, plan: KernelBenchPlan<In>): Promise<KernelBenchResult> {
  const jobs = plan.inputs.flatMap((input) =>
    plan.batches.flatMap((batch) => plan.contenders.filter((c) => batch <= plan.maxBatch(c)).map((c) => ({ input, batch, c }))),
  );
  const progress = new Progress(jobs.length, `bench ${plan.kind}`);
  const points: KernelBenchPoint[] = [];
  const made = new Map<string, In[]>();
  for (const { input, batch, c } of jobs) {
    const key = `${input.messageBytes}/${batch}`;
    let items = made.get(key);
    if (!items) {
      made.clear();
      made.set(key, (items = input.make(batch)));
    }
    const r = await rate(batch, () => c.run(items), plan.minMs);
    points.push({
      contender: c.name,
      ...(c.backend && { backend: c.backend }),
      ...(c.verify && { verify: c.verify }),
      batch,
      ...(input.messageBytes !== undefined && { messageBytes: input.messageBytes }),
      itemsPerSecond: r,
    });
    progress.tick(`${c.name} ×${batch}${input.messageBytes !== undefined ? ` ${input.messageBytes}B` : ''}: ${formatRate(r)}`);
  }
  progress.end();
  const stats = accel.stats();
  const fallbacks: Partial<Record<BackendName, number>> = {};
  for (const c of plan.contenders) if (c.backend) fallbacks[c.backend] = stats.backends[c.backend].fallbacks;
  const verification = verificationCost(points);
  return {
    kind: plan.kind,
    date: new Date().toISOString(),
    machine: machineInfo(accel.backends),
    fallbacks,
    points,
    ratios: ratios(points),
    ...(verification.length && { verification }),
  };
}

function verificationCost(points: KernelBenchPoint[]): VerificationCost[] {
  const rows = new Map<string, VerificationCost>();
  for (const p of points) {
    if (!p.backend || !p.verify) continue;
    const key = `${p.backend}|${p.batch}|${p.messageBytes ?? ''}`;
    let row = rows.get(key);
    if (!row) {
      row = { backend: p.backend, batch: p.batch, ...(p.messageBytes !== undefined && { messageBytes: p.messageBytes }), itemsPerSecond: {} };
      rows.set(key, row);
    }
    row.itemsPerSecond[p.verify] = p.itemsPerSecond;
  }
  return [...rows.values()].flatMap((r) => {
    const { sample, none, full } = r.itemsPerSecond;
    if (none === undefined) return [];
    return [{ ...r, ...(sample !== undefined && { sampleOverNone: sample / none }), ...(full !== undefined && { fullOverNone: full / none }) }];
  });
}

function ratios(points: KernelBenchPoint[]): KernelBenchResult['ratios'] {
  const peers = [...new Set(points.filter((p) => !p.backend).map((p) => p.contender))];
  return points
    .filter((p) => p.backend && (p.verify ?? 'sample') === 'sample')
    .flatMap((p) =>
      peers.flatMap((peer) => {
        // A peer is measured only up to the batch where its rate is flat: compare with its largest batch ≤ p's.
        const q = points
          .filter((x) => x.contender === peer && x.messageBytes === p.messageBytes && x.batch <= p.batch)
          .sort((a, b) => b.batch - a.batch)[0];
        if (!q) return [];
        return [{ backend: p.contender, peer, batch: p.batch, ...(p.messageBytes !== undefined && { messageBytes: p.messageBytes }), ratio: p.itemsPerSecond / q.itemsPerSecond }];
      }),
    );
}

/** The results as a table: one row per (size, batch), one column per contender, then ratios. */
export function formatTable(r: KernelBenchResult): string {
  const names = [...new Set(r.points.map((p) => p.contender))];
  const rows = [...new Set(r.points.map((p) => `${p.messageBytes ?? ''}|${p.batch}`))];
  const head = [r.kind === 'keccak' ? 'bytes' : '', 'batch', ...names].map((h) => h.padStart(16)).join('');
  const lines = [head];
  for (const row of rows) {
    const [bytes, batch] = row.split('|');
    const cells = names.map((n) => {
      const p = r.points.find((x) => x.contender === n && `${x.messageBytes ?? ''}|${x.batch}` === row);
      return (p ? formatRate(p.itemsPerSecond) : '-').padStart(16);
    });
    lines.push([bytes!.padStart(16), batch!.padStart(16), ...cells].join(''));
  }
  lines.push('', 'speed-up (evm-accel backend over peer, same batch; a peer is measured up to its flat rate):');
  for (const x of r.ratios) {
    lines.push(`  ${x.backend} / ${x.peer}${x.messageBytes !== undefined ? ` ${x.messageBytes}B` : ''} ×${x.batch}: ${x.ratio.toFixed(1)}×`);
  }
  if (r.verification?.length) {
    lines.push('', "verification cost (throughput with 'sample' and 'full' over 'none', same backend and batch):");
    for (const v of r.verification) {
      const cells = [
        v.sampleOverNone !== undefined && `sample ${v.sampleOverNone.toFixed(3)}`,
        v.fullOverNone !== undefined && `full ${v.fullOverNone.toFixed(3)}`,
      ].filter(Boolean);
      lines.push(`  ${v.backend}${v.messageBytes !== undefined ? ` ${v.messageBytes}B` : ''} ×${v.batch}: ${cells.join(', ')}`);
    }
  }
  return lines.join('\n') + '\n';
}
