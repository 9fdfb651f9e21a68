import type { Accelerator, BackendName } from '../index.js';
import type { Contender } from './contenders.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { Progress } from './progress.js';
import { formatRate, rate } from './timing.js';

export interface KernelBenchPoint {
  contender: string;
  backend?: BackendName;
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
  /** Speed of each evm-accel backend over each peer at the same batch and size. */
  ratios: { backend: string; peer: string; batch: number; messageBytes?: number; ratio: number }[];
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
  return { kind: plan.kind, date: new Date().toISOString(), machine: machineInfo(accel.backends), fallbacks, points, ratios: ratios(points) };
}

function ratios(points: KernelBenchPoint[]): KernelBenchResult['ratios'] {
  const peers = [...new Set(points.filter((p) => !p.backend).map((p) => p.contender))];
  return points
    .filter((p) => p.backend)
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
  return lines.join('\n') + '\n';
}
