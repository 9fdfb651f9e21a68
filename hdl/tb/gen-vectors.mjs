// Writes the stimulus and expected results for tb_keccak256.v: a beat stream that deals messages
// round-robin over the sponge contexts (as the C bridge does) and, per tag, the digest from
// @noble/hashes with the CRC-32 the core must attach. Usage: node gen-vectors.mjs OUT_DIR CTX_W
import { keccak_256 } from '@noble/hashes/sha3.js';
import { crc32 } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, ctxWArg] = process.argv.slice(2);
const nctx = 1 << Number(ctxWArg);
const RATE = 136;

// Known answers first, so a wrong reference could not hide a wrong core.
const KAT = [
  ['', 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'],
  ['abc', '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45'],
];
let seed = 0x12345678;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8);
const lengths = [];
for (const base of [0, RATE, 2 * RATE, 3 * RATE]) for (let d = -3; d <= 3; d++) if (base + d >= 0) lengths.push(base + d);
for (let i = 0; i < 40; i++) lengths.push(rand() % 700);
const msgs = KAT.map(([s]) => new TextEncoder().encode(s));
for (const len of lengths) msgs.push(Uint8Array.from({ length: len }, () => rand() & 0xff));

const hex = (b) => Buffer.from(b).toString('hex');
const expect = msgs.map((m, tag) => {
  const d = keccak_256(m);
  if (tag < KAT.length && hex(d) !== KAT[tag][1]) throw new Error(`reference disagrees with KAT ${tag}`);
  const rec = Buffer.alloc(36);
  rec.writeUInt32LE(tag, 0);
  rec.set(d, 4);
  // line = {crc, digest} with digest byte 0 in the low bits
  return crc32(rec).toString(16).padStart(8, '0') + hex(Buffer.from(d).reverse());
});

// Blocks of one message: full blocks, then a last beat of 0..135 bytes.
function blocks(m) {
  const out = [];
  let at = 0;
  while (m.length - at >= RATE) { out.push(m.subarray(at, at + RATE)); at += RATE; }
  out.push(m.subarray(at));
  return out;
}
// beat line = {tag[31:0], ctx[7:0], flags[7:0] (bit 0 last, bit 1 first), nbytes[7:0], data[1087:0]}, byte 0 lowest
const beats = [];
const slots = new Array(nctx).fill(null);
let next = 0;
for (;;) {
  let any = false;
  for (let c = 0; c < nctx; c++) {
    if (slots[c] === null && next < msgs.length) slots[c] = { tag: next, blocks: blocks(msgs[next++]), i: 0 };
    const s = slots[c];
    if (s === null) continue;
    any = true;
    const first = s.i === 0;
    const b = s.blocks[s.i++];
    const last = s.i === s.blocks.length;
    const data = Buffer.alloc(RATE);
    data.set(b);
    beats.push(s.tag.toString(16).padStart(8, '0') + [c, (last ? 1 : 0) | (first ? 2 : 0), b.length].map((v) => v.toString(16).padStart(2, '0')).join('') + hex(data.reverse()));
    if (last) slots[c] = null;
  }
  if (!any) break;
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `beats_ctx${ctxWArg}.hex`), beats.join('\n') + '\n');
writeFileSync(join(outDir, 'expect.hex'), expect.join('\n') + '\n');
writeFileSync(join(outDir, `counts_ctx${ctxWArg}.txt`), `+nbeats=${beats.length} +nmsgs=${msgs.length}\n`);
