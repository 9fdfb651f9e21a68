import { PALETTE, el, escapeXml, siLabel, round, svgDocument, text, textWidth } from './svg.js';

export interface LinePoint {
  x: number;
  y: number;
  /** Tooltip naming the exact figure. */
  note: string;
}

/** One contender's points; series of the same name share a colour across panels. */
export interface LineSeries {
  name: string;
  points: LinePoint[];
}

export interface LinePanel {
  /** Empty for a chart of one panel. */
  title: string;
  series: LineSeries[];
}

export interface LogLogChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Side-by-side panels (e.g. one per message size) on the same scales, so they compare at a glance. */
  panels: LinePanel[];
}

const HEADER = 40;
const MARGIN = { left: 60, right: 14, top: 30, bottom: 48 };
const PANEL_HEIGHT = 330;

/** A log10 domain covering `values`: widened to whole decades, or for batch sizes just padded. */
function logDomain(values: number[], wholeDecades: boolean): [number, number] {
  if (values.some((v) => !(v > 0))) throw new RangeError('a log scale needs positive values');
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  if (wholeDecades) return [Math.floor(lo), Math.max(Math.ceil(hi), Math.floor(lo) + 1)];
  const pad = Math.max(hi - lo, 1) * 0.04;
  return [lo - pad, hi + pad];
}

/**
 * Ticks of a log10 domain: labelled gridlines at powers of ten (and at 2 and 5 × 10ⁿ when the axis
 * spans two decades or less, so it has enough labels), minor ticks at the other multiples.
 */
function logTicks([lo, hi]: [number, number]): { v: number; major: boolean }[] {
  const labelled = hi - lo <= 2 ? [1, 2, 5] : [1];
  const out: { v: number; major: boolean }[] = [];
  for (let d = Math.floor(lo); d <= hi; d++) {
    for (let m = 1; m <= 9; m++) {
      const v = m * 10 ** d;
      if (Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9) out.push({ v, major: labelled.includes(m) });
    }
  }
  return out;
}

/**
 * A line chart with log-scale x and y (throughput against batch size): one series per contender, a
 * shared legend, and every point carrying its exact value (`data-value`, `data-x`) and a tooltip.
 */
export function logLogLineChart(spec: LogLogChartSpec): string {
  const all = spec.panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const xDomain = logDomain(all.map((p) => p.x), false);
  const yDomain = logDomain(all.map((p) => p.y), true);
  const names = [...new Set(spec.panels.flatMap((p) => p.series.map((s) => s.name)))];
  const colour = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length]!;

  const columns = spec.panels.length > 1 ? 2 : 1;
  const panelWidth = columns === 1 ? 720 : 450;
  const rows = Math.ceil(spec.panels.length / columns);
  const legendX = columns * panelWidth + 16;
  const legendWidth = Math.max(...names.map((n) => textWidth(n, 12))) + 40;
  const width = Math.ceil(legendX + legendWidth);
  const height = HEADER + rows * PANEL_HEIGHT + 8;

  const panels = spec.panels.map((p, i) =>
    el(
      'g',
      { transform: `translate(${(i % columns) * panelWidth},${HEADER + Math.floor(i / columns) * PANEL_HEIGHT})`, 'data-panel': p.title },
      panel(p, spec, panelWidth, xDomain, yDomain, colour),
    ),
  );
  const legend = names
    .map((n, i) => {
      const y = HEADER + MARGIN.top + 10 + i * 22;
      return (
        el('line', { x1: legendX, y1: y, x2: legendX + 22, y2: y, stroke: colour(n), 'stroke-width': 2.5 }) +
        el('circle', { cx: legendX + 11, cy: y, r: 3.5, fill: colour(n) }) +
        text(legendX + 30, y + 4, n)
      );
    })
    .join('');
  const title = text(width / 2, 26, spec.title, { 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' });
  return svgDocument(width, height, spec.title, title + panels.join('') + el('g', { class: 'legend' }, legend));
}

function panel(
  p: LinePanel,
  spec: LogLogChartSpec,
  panelWidth: number,
  [xLo, xHi]: [number, number],
  [yLo, yHi]: [number, number],
  colour: (name: string) => string,
): string {
  const x0 = MARGIN.left;
  const x1 = panelWidth - MARGIN.right;
  const y0 = MARGIN.top;
  const y1 = PANEL_HEIGHT - MARGIN.bottom;
  const sx = (v: number) => x0 + ((Math.log10(v) - xLo) / (xHi - xLo)) * (x1 - x0);
  const sy = (v: number) => y1 - ((Math.log10(v) - yLo) / (yHi - yLo)) * (y1 - y0);

  const grid: string[] = [];
  for (const { v, major } of logTicks([xLo, xHi])) {
    const x = round(sx(v));
    if (!major) grid.push(el('line', { x1: x, y1: y1, x2: x, y2: y1 - 4, stroke: '#888' }));
    else grid.push(el('line', { x1: x, y1: y0, x2: x, y2: y1, stroke: '#d0d0d0' }) + text(x, y1 + 16, siLabel(v), { 'text-anchor': 'middle', 'font-size': 11 }));
  }
  for (const { v, major } of logTicks([yLo, yHi])) {
    const y = round(sy(v));
    if (!major) grid.push(el('line', { x1: x0, y1: y, x2: x0 + 4, y2: y, stroke: '#888' }));
    else grid.push(el('line', { x1: x0, y1: y, x2: x1, y2: y, stroke: '#d0d0d0' }) + text(x0 - 6, y + 4, siLabel(v), { 'text-anchor': 'end', 'font-size': 11 }));
  }
  const frame = el('rect', { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: 'none', stroke: '#888' });
  const labels =
    (p.title ? text((x0 + x1) / 2, y0 - 10, p.title, { 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 'bold' }) : '') +
    text((x0 + x1) / 2, y1 + 36, spec.xLabel, { 'text-anchor': 'middle' }) +
    text(14, (y0 + y1) / 2, spec.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 14 ${(y0 + y1) / 2})` });

  const series = p.series.map((s) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const line = el('polyline', {
      points: pts.map((q) => `${round(sx(q.x))},${round(sy(q.y))}`).join(' '),
      fill: 'none',
      stroke: colour(s.name),
      'stroke-width': 2,
    });
    const dots = pts
      .map((q) =>
        el(
          'circle',
          { cx: round(sx(q.x)), cy: round(sy(q.y)), r: 3.5, fill: colour(s.name), 'data-x': q.x, 'data-value': q.y },
          el('title', {}, escapeXml(q.note)),
        ),
      )
      .join('');
    return el('g', { class: 'series', 'data-series': s.name }, line + dots);
  });
  return grid.join('') + frame + labels + series.join('');
}
