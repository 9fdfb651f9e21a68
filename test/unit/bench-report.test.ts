import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/index.js';
import type { KernelBenchPoint, KernelBenchResult } from '../../src/bench/kernel-bench.js';
import type { MachineInfo } from '../../src/bench/machine.js';
import type { BlockBenchSummary } from '../../src/bench/report/block-summary.js';
import { renderReport, writeReport, type ReportInput } from '../../src/bench/report/html-report.js';
import { formatRate } from '../../src/bench/timing.js';
import { descendants, parseXml, type XmlElement } from '../helpers/xml-tree.js';

const machine: MachineInfo = {
  hostname: 'bench-host',
  platform: 'linux 6.1 x64',
  cpu: 'Test CPU <8 cores> & more',
  cores: 8,
  memoryGiB: 32,
  node: 'v20.20.2',
  devices: [
    { backend: 'cpu-native', device: 'Test CPU, 8 threads', kind: 'cpu', status: 'ready' },
    { backend: 'webgpu', device: 'SwiftShader Device (Subzero)', kind: 'emulated', status: 'ready' },
  ],
};

/** Irregular rates (not a formula the chart could echo back by accident), one per contender and batch. */
function points(contenders: string[], batches: number[], sizes: (number | undefined)[]): KernelBenchPoint[] {
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return sizes.flatMap((bytes) =>
    batches.flatMap((batch) =>
      contenders.map((contender) => ({
        contender,
        ...(contender.startsWith('evm-accel') && { backend: contender.split(' ')[1] as BackendName }),
        batch,
        ...(bytes !== undefined && { messageBytes: bytes }),
        itemsPerSecond: 10 ** (2 + 5 * next()),
      })),
    ),
  );
}

const keccak: KernelBenchResult = {
  kind: 'keccak',
  date: '2026-11-26T23:00:00.000Z',
  machine,
  fallbacks: { 'cpu-native': 0, webgpu: 3 },
  // A peer name needing escapes checks that the SVG stays well-formed.
  points: points(['evm-accel cpu-native', 'evm-accel webgpu', 'peer "<x>" & co'], [1, 16, 256, 4096, 1048576], [32, 1000]),
  ratios: [{ backend: 'evm-accel cpu-native', peer: 'peer "<x>" & co', batch: 4096, messageBytes: 32, ratio: 12.25 }],
};

const ecrecover: KernelBenchResult = {
  kind: 'ecrecover',
  date: '2026-11-26T23:01:00.000Z',
  machine,
  fallbacks: {},
  points: points(['evm-accel cpu-native', '@noble/curves'], [1, 16, 256, 4096], [undefined]),
  ratios: [{ backend: 'evm-accel cpu-native', peer: '@noble/curves', batch: 256, ratio: 64.5 }],
};

const blocks: BlockBenchSummary = {
  machine,
  rows: [
    { block: '19000000', txs: 180, sequentialMs: 1234.5, parallel: [1, 2, 4].map((w, i) => ({ workers: w, ms: 1300 / (1 + i * 0.9), reExecutions: i * 3 })) },
    { block: '17034870', txs: 96, sequentialMs: 456.7, parallel: [1, 2, 4].map((w, i) => ({ workers: w, ms: 470 / (1 + i * 0.4), reExecutions: i })) },
  ],
};

const input: ReportInput = { keccak, ecrecover, blocks };

function readSvg(dir: string, name: string): XmlElement {
  const root = parseXml(readFileSync(join(dir, name), 'utf8'));
  expect(root.name).toBe('svg');
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  return root;
}

/** Checks `pos = a + b·f(value)` for one a, b across all pairs (the axis maps values, to 0.1 px rounding). */
function expectAffine(pairs: { value: number; pos: number }[], f: (v: number) => number): void {
  const lo = pairs.reduce((a, b) => (f(b.value) < f(a.value) ? b : a));
  const hi = pairs.reduce((a, b) => (f(b.value) > f(a.value) ? b : a));
  const slope = (hi.pos - lo.pos) / (f(hi.value) - f(lo.value));
  for (const p of pairs) expect(Math.abs(lo.pos + slope * (f(p.value) - f(lo.value)) - p.pos)).toBeLessThan(0.15);
}

/** Each drawn point: its panel, series, x and value attributes, tooltip and position. */
function drawnPoints(svg: XmlElement) {
  return descendants(svg)
    .filter((e) => e.attrs['data-panel'] !== undefined)
    .flatMap((panel) =>
      descendants(panel)
        .filter((e) => e.attrs['data-series'] !== undefined)
        .flatMap((series) =>
          series.children
            .filter((c) => c.name === 'circle')
            .map((c) => ({
              panel: panel.attrs['data-panel']!,
              series: series.attrs['data-series']!,
              batch: Number(c.attrs['data-x']),
              value: Number(c.attrs['data-value']),
              tooltip: c.children.find((t) => t.name === 'title')!.text,
              cx: Number(c.attrs.cx),
              cy: Number(c.attrs.cy),
            })),
        ),
    );
}

describe('bench report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  const page = writeReport(dir, input);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes report.html, one well-formed SVG per chart and the results it drew from', () => {
    expect(page).toBe(join(dir, 'report.html'));
    for (const f of ['report.html', 'keccak.svg', 'ecrecover.svg', 'blocks.svg', 'results.json']) expect(existsSync(join(dir, f))).toBe(true);
    for (const f of ['keccak.svg', 'ecrecover.svg', 'blocks.svg']) readSvg(dir, f);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toEqual(input);
  });

  it.each([keccak, ecrecover])('$kind chart draws exactly the JSON points, on log scales', (r) => {
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ReportInput;
    const expected = json[r.kind]!.points;
    const drawn = drawnPoints(readSvg(dir, `${r.kind}.svg`));
    const key = (series: string, panel: string, batch: number, value: number) => `${series}|${panel}|${batch}|${value}`;
    expect(drawn.map((d) => key(d.series, d.panel, d.batch, d.value)).sort()).toEqual(
      expected.map((p) => key(p.contender, p.messageBytes === undefined ? '' : `${p.messageBytes}-byte messages`, p.batch, p.itemsPerSecond)).sort(),
    );
    for (const d of drawn) expect(d.tooltip).toContain(`(${d.value})`);
    for (const panel of new Set(drawn.map((d) => d.panel))) {
      const inPanel = drawn.filter((d) => d.panel === panel);
      expectAffine(inPanel.map((d) => ({ value: d.batch, pos: d.cx })), Math.log10);
      expectAffine(inPanel.map((d) => ({ value: d.value, pos: d.cy })), Math.log10);
      // Higher rates are drawn higher up.
      const [slow, fast] = [...inPanel].sort((a, b) => a.value - b.value).filter((_, i, a) => i === 0 || i === a.length - 1);
      expect(fast!.cy).toBeLessThan(slow!.cy);
    }
    const legend = descendants(readSvg(dir, `${r.kind}.svg`)).find((e) => e.attrs.class === 'legend')!;
    expect(descendants(legend).map((e) => e.text).filter(Boolean)).toEqual([...new Set(expected.map((p) => p.contender))]);
  });

  it('block chart draws each speed-up (plain runBlock ms / parallel ms) as a bar of proportional height', () => {
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ReportInput;
    const groups = descendants(readSvg(dir, 'blocks.svg')).filter((e) => e.attrs['data-group'] !== undefined);
    expect(groups.map((g) => g.attrs['data-group'])).toEqual(json.blocks!.rows.map((r) => r.block));
    const bars = groups.flatMap((g, gi) =>
      g.children
        .filter((c) => c.name === 'rect')
        .map((c) => ({ row: json.blocks!.rows[gi]!, series: c.attrs['data-series'], value: Number(c.attrs['data-value']), height: Number(c.attrs.height), tooltip: c.children[0]!.text })),
    );
    expect(bars).toHaveLength(6);
    for (const b of bars) {
      const p = b.row.parallel.find((x) => `${x.workers} worker${x.workers === 1 ? '' : 's'}` === b.series)!;
      expect(b.value).toBe(b.row.sequentialMs / p.ms);
      expect(b.tooltip).toContain(`${p.reExecutions} re-executions`);
    }
    const perUnit = bars[0]!.height / bars[0]!.value;
    for (const b of bars) expect(Math.abs(b.height - b.value * perUnit)).toBeLessThan(0.15);
  });

  it('report.html names the machine and devices, inlines the charts and tabulates every rate', () => {
    const html = readFileSync(page, 'utf8');
    const files = renderReport(input);
    for (const f of ['keccak.svg', 'ecrecover.svg', 'blocks.svg']) expect(html).toContain(files[f]!.trim());
    expect(html).toContain('Test CPU &lt;8 cores&gt; &amp; more');
    for (const d of machine.devices) expect(html).toContain(d.device);
    for (const p of [...keccak.points, ...ecrecover.points]) expect(html).toContain(`<td class="num">${formatRate(p.itemsPerSecond)}</td>`);
    expect(html).toContain('webgpu 3×');
    expect(html).toContain('12.3×');
  });

  it('a report of only some benchmarks has only their charts; none at all is an error', () => {
    expect(Object.keys(renderReport({ ecrecover })).sort()).toEqual(['ecrecover.svg', 'report.html', 'results.json']);
    expect(() => renderReport({})).toThrow(/at least one benchmark/);
    const zero = { ...ecrecover, points: [{ ...ecrecover.points[0]!, itemsPerSecond: 0 }] };
    expect(() => renderReport({ ecrecover: zero })).toThrow(RangeError);
  });
});

describe('xml-tree, the well-formedness check the report tests rely on', () => {
  it.each([
    ['<svg><g></svg>', /mismatched/],
    ['<svg a="1" a="2"/>', /duplicate/],
    ['<svg a=1/>', /quoted/],
    ['<svg>a & b</svg>', /bare/],
    ['<svg>&nbsp;</svg>', /unknown entity/],
    ['<svg/><svg/>', /after the root/],
    ['<svg>', /unclosed/],
  ])('rejects %s', (src, why) => expect(() => parseXml(src)).toThrow(why));

  it('decodes attributes and text', () => {
    const root = parseXml('<?xml version="1.0"?><!-- c --><svg x="&lt;&amp;&#x41;"><t>a &gt; b</t></svg>');
    expect(root.attrs.x).toBe('<&A');
    expect(root.children[0]!.text).toBe('a > b');
  });
});
