import type { KernelBenchResult } from '../kernel-bench.js';
import { formatRate } from '../timing.js';
import { groupedBarChart, type BarGroup } from './bar-chart.js';
import type { BlockBenchSummary } from './block-summary.js';
import { logLogLineChart, type LinePanel } from './line-chart.js';

const KERNEL_WORDS = {
  keccak: { title: 'Keccak-256 throughput vs batch size', items: 'messages', rate: 'hashes per second' },
  ecrecover: { title: 'secp256k1 public-key recovery throughput vs batch size', items: 'signatures', rate: 'recoveries per second' },
} as const;

/** Throughput against batch size, one series per contender, one panel per Keccak message size. */
export function kernelFigure(r: KernelBenchResult): string {
  const words = KERNEL_WORDS[r.kind];
  const sizes = [...new Set(r.points.map((p) => p.messageBytes))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const panels: LinePanel[] = sizes.map((bytes) => {
    const points = r.points.filter((p) => p.messageBytes === bytes);
    const names = [...new Set(points.map((p) => p.contender))];
    return {
      title: bytes === undefined ? '' : `${bytes}-byte messages`,
      series: names.map((name) => ({
        name,
        points: points
          .filter((p) => p.contender === name)
          .map((p) => ({
            x: p.batch,
            y: p.itemsPerSecond,
            note: `${name}, batch ${p.batch}${bytes === undefined ? '' : ` × ${bytes} B`}: ${formatRate(p.itemsPerSecond)} (${p.itemsPerSecond})`,
          })),
      })),
    };
  });
  return logLogLineChart({ title: words.title, xLabel: `batch size (${words.items} per call)`, yLabel: words.rate, panels });
}

/** Speed-up of the parallel executor over plain `runBlock` = sequentialMs / ms, per block and worker count. */
export function speedUp(sequentialMs: number, ms: number): number {
  return sequentialMs / ms;
}

/** Block speed-up against worker count: one group per block, one bar per worker count. */
export function blockFigure(b: BlockBenchSummary): string {
  const groups: BarGroup[] = b.rows.map((row) => ({
    name: row.block,
    detail: `${row.txs} txs`,
    bars: row.parallel.map((p) => {
      const v = speedUp(row.sequentialMs, p.ms);
      return {
        series: workersLabel(p.workers),
        value: v,
        label: `${v.toFixed(2)}×`,
        note: `${row.block}, ${workersLabel(p.workers)}: ${p.ms.toFixed(1)} ms vs ${row.sequentialMs.toFixed(1)} ms plain runBlock = ${v}×, ${p.reExecutions} re-executions`,
      };
    }),
  }));
  return groupedBarChart({
    title: 'Block replay: parallel executor speed-up over plain runBlock',
    xLabel: 'block',
    yLabel: 'speed-up over plain runBlock',
    yUnit: '×',
    groups,
    reference: { value: 1, label: 'plain runBlock (1×)' },
  });
}

export function workersLabel(n: number): string {
  return `${n} worker${n === 1 ? '' : 's'}`;
}
