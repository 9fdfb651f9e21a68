import { PALETTE, el, escapeXml, round, svgDocument, text, textWidth } from './svg.js';

export interface Bar {
  /** The series (e.g. a worker count); a series keeps its colour and slot in every group. */
  series: string;
  value: number;
  /** Printed above the bar. */
  label: string;
  /** Tooltip naming the exact figures. */
  note: string;
}

export interface BarGroup {
  name: string;
  /** A second, grey line under the name. */
  detail?: string;
  bars: Bar[];
}

export interface GroupedBarChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Suffix of the y tick labels (e.g. ×). */
  yUnit: string;
  groups: BarGroup[];
  /** A dashed horizontal line, e.g. the baseline a speed-up is measured against. */
  reference?: { value: number; label: string };
}

const HEADER = 40;
const MARGIN = { left: 60, top: 20, bottom: 60 };
const PLOT_HEIGHT = 300;
const SLOT = 36;

/** A step of 1, 2 or 5 × 10ⁿ giving about five ticks up to `max`. */
function niceStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/**
 * A grouped bar chart on a linear y axis from zero (speed-up per block and worker count): every bar
 * carrying its exact value (`data-value`) and a tooltip, its label above it (turned upright when the
 * bar is too narrow for it).
 */
export function groupedBarChart(spec: GroupedBarChartSpec): string {
  const series = [...new Set(spec.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const colour = (s: string) => PALETTE[series.indexOf(s) % PALETTE.length]!;
  const values = spec.groups.flatMap((g) => g.bars.map((b) => b.value));
  if (values.some((v) => !(v >= 0))) throw new RangeError('bars need non-negative values');
  // Headroom above the tallest bar for its label.
  const headroom = Math.max(...values, spec.reference?.value ?? 0) * 1.25 || 1;
  const step = niceStep(headroom);
  const yMax = Math.ceil(headroom / step) * step;

  const groupWidth = Math.max(series.length * SLOT + 28, Math.max(...spec.groups.map((g) => Math.max(textWidth(g.name, 11), textWidth(g.detail ?? '', 10)))) + 16);
  const x0 = MARGIN.left;
  const x1 = x0 + spec.groups.length * groupWidth;
  const y0 = HEADER + MARGIN.top;
  const y1 = y0 + PLOT_HEIGHT;
  const sy = (v: number) => y1 - (v / yMax) * PLOT_HEIGHT;
  const legendX = x1 + 24;
  const width = Math.ceil(legendX + Math.max(...[...series, spec.reference?.label ?? ''].map((s) => textWidth(s, 12))) + 40);
  const height = y1 + MARGIN.bottom;

  const grid: string[] = [];
  for (let i = 0; i * step <= yMax + step / 1e6; i++) {
    const v = Number((i * step).toPrecision(12));
    const y = round(sy(v));
    grid.push(el('line', { x1: x0, y1: y, x2: x1, y2: y, stroke: '#d0d0d0' }));
    grid.push(text(x0 - 6, y + 4, `${v}${spec.yUnit}`, { 'text-anchor': 'end', 'font-size': 11 }));
  }
  const frame = el('rect', { x: x0, y: y0, width: x1 - x0, height: PLOT_HEIGHT, fill: 'none', stroke: '#888' });

  const barWidth = SLOT - 8;
  // A white halo keeps a bar's label readable where it crosses the reference line.
  const halo = { 'font-size': 10, stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' };
  const groups = spec.groups.map((g, gi) => {
    const left = x0 + gi * groupWidth + (groupWidth - series.length * SLOT) / 2;
    const bars = g.bars.map((b) => {
      const x = left + series.indexOf(b.series) * SLOT + 4;
      const top = sy(b.value);
      const cx = x + barWidth / 2;
      const label =
        textWidth(b.label, 10) <= barWidth + 6
          ? text(cx, top - 4, b.label, { 'text-anchor': 'middle', ...halo })
          : text(cx + 3.5, top - 4, b.label, { ...halo, transform: `rotate(-90 ${round(cx + 3.5)} ${round(top - 4)})` });
      const rect = el(
        'rect',
        { x: round(x), y: round(top), width: barWidth, height: round(y1 - top), fill: colour(b.series), 'data-series': b.series, 'data-value': b.value },
        el('title', {}, escapeXml(b.note)),
      );
      return rect + label;
    });
    const mid = x0 + (gi + 0.5) * groupWidth;
    const name =
      text(mid, y1 + 16, g.name, { 'text-anchor': 'middle', 'font-size': 11 }) +
      (g.detail ? text(mid, y1 + 30, g.detail, { 'text-anchor': 'middle', 'font-size': 10, fill: '#666' }) : '');
    return el('g', { class: 'group', 'data-group': g.name }, bars.join('') + name);
  });

  const dashed = { stroke: '#333', 'stroke-dasharray': '6 4', 'stroke-width': 1.5 };
  const reference = spec.reference
    ? el('line', { x1: x0, y1: round(sy(spec.reference.value)), x2: x1, y2: round(sy(spec.reference.value)), ...dashed })
    : '';
  const legendRow = (i: number) => y0 + 10 + i * 22;
  const legend =
    series.map((s, i) => el('rect', { x: legendX, y: legendRow(i) - 7, width: 14, height: 14, fill: colour(s) }) + text(legendX + 22, legendRow(i) + 4, s)).join('') +
    (spec.reference
      ? el('line', { x1: legendX, y1: legendRow(series.length), x2: legendX + 14, y2: legendRow(series.length), ...dashed }) +
        text(legendX + 22, legendRow(series.length) + 4, spec.reference.label)
      : '');
  const labels =
    text(width / 2, 26, spec.title, { 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' }) +
    text((x0 + x1) / 2, y1 + 48, spec.xLabel, { 'text-anchor': 'middle' }) +
    text(14, (y0 + y1) / 2, spec.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 14 ${(y0 + y1) / 2})` });
  return svgDocument(width, height, spec.title, grid.join('') + frame + reference + groups.join('') + labels + el('g', { class: 'legend' }, legend));
}
