import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelBenchResult } from '../kernel-bench.js';
import type { MachineInfo } from '../machine.js';
import { formatRate } from '../timing.js';
import type { BlockBenchSummary } from './block-summary.js';
import { blockFigure, kernelFigure, speedUp, workersLabel } from './figures.js';
import { escapeXml as esc } from './svg.js';

/** One run's results: whichever benchmarks ran. */
export interface ReportInput {
  keccak?: KernelBenchResult;
  ecrecover?: KernelBenchResult;
  blocks?: BlockBenchSummary;
}

const KERNEL_TITLES = { keccak: 'Keccak-256', ecrecover: 'secp256k1 public-key recovery' } as const;

/** An HTML table; columns from `numericFrom` on are figures, aligned right. */
function table(head: string[], rows: string[][], numericFrom: number): string {
  const cls = (i: number) => (i >= numericFrom ? ' class="num"' : '');
  const th = head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function figure(svg: string, file: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)} (<a href="${file}">${file}</a>)</figcaption></figure>`;
}

function machineSection(m: MachineInfo): string {
  return (
    `<p class="machine">Measured on <b>${esc(m.hostname)}</b>: ${esc(m.cpu)}, ${m.cores} cores, ${m.memoryGiB} GiB, ` +
    `${esc(m.platform)}, Node ${esc(m.node)}.</p>\n` +
    (m.devices.length
      ? `<h2>Devices</h2>\n${table(['backend', 'device', 'kind', 'status'], m.devices.map((d) => [d.backend, d.device, d.kind, d.status]), 4)}`
      : '')
  );
}

/**
 * A table with one row per (message size, batch) and one column per `column(item)`: the shape of both
 * the rates and the speed-ups. Recovery has no message size, so no such column.
 */
function pivot<T extends { messageBytes?: number; batch: number }>(items: T[], column: (t: T) => string, cell: (t: T) => string): string {
  const withBytes = items.some((t) => t.messageBytes !== undefined);
  const rowOf = (t: T) => `${t.messageBytes ?? ''}|${t.batch}`;
  const columns = [...new Set(items.map(column))];
  const rows = [...new Map(items.map((t) => [rowOf(t), t])).values()].map((row) => [
    ...(withBytes ? [String(row.messageBytes)] : []),
    String(row.batch),
    ...columns.map((c) => {
      const t = items.find((x) => column(x) === c && rowOf(x) === rowOf(row));
      return t ? cell(t) : '–';
    }),
  ]);
  return table([...(withBytes ? ['message bytes'] : []), 'batch', ...columns], rows, 0);
}

/** The chart, then rates per contender and each backend's speed-up over each peer. */
function kernelSection(r: KernelBenchResult, svg: string, file: string): string {
  const fell = Object.entries(r.fallbacks).filter(([, n]) => (n ?? 0) > 0);
  const warning = fell.length
    ? `<p class="warning">Fallbacks during the run (these figures include another backend): ${esc(fell.map(([b, n]) => `${b} ${n}×`).join(', '))}.</p>`
    : '';
  return (
    `<h2>${KERNEL_TITLES[r.kind]}</h2>\n<p>Run ${esc(r.date)}.</p>\n${warning}` +
    figure(svg, file, 'Items per second against items per call, both on log scales.') +
    `\n<h3>Throughput</h3>\n${pivot(r.points, (p) => p.contender, (p) => formatRate(p.itemsPerSecond))}` +
    `\n<h3>Speed-up over the peers</h3>\n<p>Same batch; a peer is measured up to the batch where its rate is flat.</p>\n` +
    pivot(r.ratios, (x) => `${x.backend} / ${x.peer}`, (x) => `${x.ratio.toFixed(1)}×`)
  );
}

function blockSection(b: BlockBenchSummary, svg: string, file: string): string {
  const workers = [...new Set(b.rows.flatMap((r) => r.parallel.map((p) => p.workers)))].sort((x, y) => x - y);
  const rows = b.rows.map((r) => [
    r.block,
    String(r.txs),
    `${r.sequentialMs.toFixed(1)} ms`,
    ...workers.map((w) => {
      const p = r.parallel.find((x) => x.workers === w);
      return p ? `${p.ms.toFixed(1)} ms, ${speedUp(r.sequentialMs, p.ms).toFixed(2)}×, ${p.reExecutions} re-exec.` : '–';
    }),
  ]);
  return (
    `<h2>Block replay</h2>\n` +
    figure(svg, file, 'Plain runBlock time over the parallel executor’s time, per block and worker count.') +
    `\n${table(['block', 'txs', 'plain runBlock', ...workers.map(workersLabel)], rows, 1)}`
  );
}

const STYLE = `
body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; max-width: 1150px; margin: 24px auto; padding: 0 16px; color: #222; }
h1 { font-size: 24px; } h2 { margin-top: 36px; border-bottom: 1px solid #ccc; } h3 { font-size: 15px; }
figure { margin: 16px 0; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; } th { background: #f4f4f4; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.warning { color: #a00; font-weight: bold; }
`;

/**
 * The report's files by name: `report.html` (charts inline, so the page stands alone), one SVG per
 * chart, and `results.json`, the figures they were drawn from.
 */
export function renderReport(input: ReportInput): Record<string, string> {
  const machine = input.keccak?.machine ?? input.ecrecover?.machine ?? input.blocks?.machine;
  if (!machine) throw new Error('the report needs at least one benchmark result');
  const files: Record<string, string> = {};
  const sections: string[] = [machineSection(machine)];
  for (const r of [input.keccak, input.ecrecover]) {
    if (!r) continue;
    const file = `${r.kind}.svg`;
    files[file] = kernelFigure(r);
    sections.push(kernelSection(r, files[file], file));
  }
  if (input.blocks) {
    files['blocks.svg'] = blockFigure(input.blocks);
    sections.push(blockSection(input.blocks, files['blocks.svg'], 'blocks.svg'));
  }
  files['results.json'] = JSON.stringify(input, null, 2) + '\n';
  files['report.html'] =
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>evm-accel benchmark report</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<h1>evm-accel benchmark report</h1>\n${sections.join('\n')}\n` +
    `<p>Every figure on this page was measured in this run; the raw numbers are in <a href="results.json">results.json</a>.</p>\n</body>\n</html>\n`;
  return files;
}

/** Writes the report's files into `dir` and returns the path of report.html. */
export function writeReport(dir: string, input: ReportInput): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(renderReport(input))) writeFileSync(join(dir, name), content);
  return join(dir, 'report.html');
}
