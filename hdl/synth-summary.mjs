// Summarises the yosys `stat` reports in hdl/reports/ as a markdown table (stdout):
// LUTs and FFs for synth_xilinx, cells and flip-flops for the generic flow.
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('reports/', import.meta.url);
const rows = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
  const text = readFileSync(new URL(f, dir), 'utf8');
  const cells = {};
  for (const m of text.matchAll(/^\s+(\S+)\s+(\d+)$/gm)) cells[m[1]] = Number(m[2]);
  const sum = (re) => Object.entries(cells).filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  const total = Number(/Number of cells:\s+(\d+)/.exec(text)?.[1] ?? 0);
  if (f.includes('xilinx')) {
    rows.push(`| ${f.replace('.txt', '')} | ${sum(/^LUT\d$/)} LUT | ${sum(/^FD/)} FF | ${sum(/^MUXF/)} MUXF7/8 | ${sum(/^(RAM|SRL)/)} LUTRAM/SRL |`);
  } else {
    rows.push(`| ${f.replace('.txt', '')} | ${total} cells | ${sum(/DFF/)} FF | ${sum(/^\$_(X|XN)OR_$/)} XOR/XNOR | |`);
  }
}
console.log('Yosys 0.23, `make -C hdl synth` (hdl/synth.ys): post-synthesis counts, before place and route.\n' +
  'xilinx = synth_xilinx (7-series LUT6, -noiopad); generic = yosys internal gates. Cores with 38 meta bits\n' +
  '(32-bit tag, 5-bit context, last flag); keccak256-iterative = the whole sponge top, iterative core, 2 contexts.\n\n' +
  '| design | logic | registers | | LUT memory |\n|---|---|---|---|---|\n' + rows.join('\n'));
