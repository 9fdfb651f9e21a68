// Summarises the yosys `stat` reports in hdl/reports/ as a markdown table (stdout):
// LUTs and FFs for synth_xilinx, cells and flip-flops for the generic flow. A report of a design
// kept hierarchical (the checked top: its shadow core kept apart) is read from its whole-design
// totals, and the integrity check's cost is given apart: the shadow core, and the comparison logic
// (the top's own cells with the check minus without it).
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('reports/', import.meta.url);
const rows = [];

/** Cell counts of one `stat` section. */
function cellsOf(text) {
  const cells = {};
  for (const m of text.matchAll(/^\s+(\S+)\s+(\d+)$/gm)) cells[m[1]] = Number(m[2]);
  const sum = (re) => Object.entries(cells).filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  return { sum, total: Number(/Number of cells:\s+(\d+)/.exec(text)?.[1] ?? 0) };
}

/** The `stat` section of module `name` (`=== name ===` up to the next section). */
function section(text, name) {
  const at = text.indexOf(`=== ${name} ===`);
  if (at < 0) return undefined;
  const end = text.indexOf('\n=== ', at + 1);
  return text.slice(at, end < 0 ? undefined : end);
}

const xilinx = ({ sum }) => ({ lut: sum(/^LUT\d$/), ff: sum(/^FD/), muxf: sum(/^MUXF/), mem: sum(/^(RAM|SRL)/) });
const reports = {};
for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
  const text = readFileSync(new URL(f, dir), 'utf8');
  reports[f] = text;
  const whole = section(text, 'design hierarchy') ?? text;
  const c = cellsOf(whole);
  if (f.includes('xilinx')) {
    const x = xilinx(c);
    rows.push(`| ${f.replace('.txt', '')} | ${x.lut} LUT | ${x.ff} FF | ${x.muxf} MUXF7/8 | ${x.mem} LUTRAM/SRL |`);
  } else {
    rows.push(`| ${f.replace('.txt', '')} | ${c.total} cells | ${c.sum(/DFF/)} FF | ${c.sum(/^\$_(X|XN)OR_$/)} XOR/XNOR | |`);
  }
}

let check = '';
const [off, on] = ['check0-keccak256-iterative-xilinx.txt', 'check1-keccak256-iterative-xilinx.txt'].map((f) => reports[f]);
if (off && on) {
  const top = (t) => xilinx(cellsOf(section(t, 'keccak256') ?? t));
  const core = xilinx(cellsOf(section(on, /=== (\$paramod\\keccak_f1600_iterative\S*) ===/.exec(on)[1])));
  const [a, b] = [top(off), top(on)];
  check =
    '\n\nIntegrity check (keccak_f1600_checked, CHECK=1), iterative top, from the check0/check1 reports: ' +
    `the shadow core is one more core (${core.lut} LUT, ${core.ff} FF, ${core.muxf} MUXF7/8); the comparison ` +
    `of its 1,600-bit state and sideband with the main core's and the error carried per context add ` +
    `${b.lut - a.lut} LUT and ${b.ff - a.ff} FF to the top's own logic.`;
}

console.log('Yosys 0.23, `make -C hdl synth` (hdl/synth.ys, hdl/synth-check.ys): post-synthesis counts, before place and route.\n' +
  'xilinx = synth_xilinx (7-series LUT6, -noiopad); generic = yosys internal gates. Cores with 38 meta bits\n' +
  '(32-bit tag, 5-bit context, last flag); check0/check1-keccak256-iterative = the whole sponge top, iterative\n' +
  'core, 2 contexts, without (CHECK=0) and with (CHECK=1) the duplicate core of the integrity check.\n\n' +
  '| design | logic | registers | | LUT memory |\n|---|---|---|---|---|\n' + rows.join('\n') + check);
