import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKEND_FACTORIES } from '../../src/backends/registry.js';
import { keccakReference } from '../../src/backends/cpu/js-backend.js';
import type { Backend } from '../../src/runtime/backend.js';
import { BackendFaultError } from '../../src/runtime/errors.js';
import { DIGEST_BYTES, packMessages, sliceMessages } from '../../src/runtime/packing.js';

// The FPGA path end to end: the RTL of hdl/ under Verilator, clocked by the real C bridge,
// reached through koffi, against @noble/hashes.

const ROOT = new URL('../../', import.meta.url).pathname;
const RATE = 136;

beforeAll(() => {
  execFileSync('make', ['-C', 'native'], { cwd: ROOT, stdio: 'inherit' });
});

/** Deterministic bytes so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

/** ≥ 2k messages of 0..1000 bytes: every length within 3 of each multiple of 136, then random ones. */
function differentialCorpus(): Uint8Array[] {
  const rnd = prng(0xfeed);
  const lengths: number[] = [];
  for (let k = 0; k * RATE <= 1000; k++) for (let d = -3; d <= 3; d++) if (k * RATE + d >= 0) lengths.push(k * RATE + d);
  while (lengths.length < 2100) lengths.push(((rnd() << 8) | rnd()) % 1001);
  return lengths.map((n) => Uint8Array.from({ length: n }, rnd));
}

function expectDigests(out: Uint8Array, msgs: Uint8Array[]): void {
  expect(out.length).toBe(msgs.length * DIGEST_BYTES);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const bad: number[] = [];
  for (let i = 0; i < msgs.length; i++) {
    if (hex(out.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES)) !== hex(keccakReference(msgs[i]!))) bad.push(i);
  }
  expect(bad, `messages with wrong digests (lengths ${bad.slice(0, 5).map((i) => msgs[i]!.length)})`).toEqual([]);
}

describe.each(['pipelined', 'iterative'])('fpga sim, %s core', (core) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await BACKEND_FACTORIES.fpga({ fpga: `sim:core=${core}` });
  });
  afterAll(() => backend.close());

  test('describes the simulated core', () => {
    const d = backend.describe();
    expect(d.name).toBe('fpga');
    expect(d.kind).toBe('software');
    expect(d.kernels).toEqual(['keccak256']);
    expect(d.details).toMatchObject({ transport: 'sim', core, check: 'duplicate', lanes: 1, contexts: core === 'pipelined' ? 32 : 2 });
    expect(d.device).toMatch(/Verilator/);
  });

  test('2k+ messages of 0..1000 bytes, every 136-byte boundary, match @noble/hashes', async () => {
    const msgs = differentialCorpus();
    expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
  });

  test('several batches in flight at once are serialised, each correct', async () => {
    const batches = [0, 1, 2].map((b) => Array.from({ length: 50 + b }, (_, i) => new Uint8Array((i * 37 + b) % 400).fill(i)));
    const outs = await Promise.all(batches.map((m) => backend.keccak256(packMessages(m))));
    outs.forEach((o, b) => expectDigests(o, batches[b]!));
  });

  test('a slice of a packed batch (a view into its buffer) hashes the right bytes', async () => {
    const msgs = Array.from({ length: 60 }, (_, i) => new Uint8Array(i * 5).fill(255 - i));
    expectDigests(await backend.keccak256(sliceMessages(packMessages(msgs), 20, 45)), msgs.slice(20, 45));
  });

  test('an empty batch and a batch of empty messages', async () => {
    expect((await backend.keccak256(packMessages([]))).length).toBe(0);
    const empties = [new Uint8Array(0), new Uint8Array(0)];
    expectDigests(await backend.keccak256(packMessages(empties)), empties);
  });
});

test('the pipelined core takes about one block per clock, the iterative one about one per 25', async () => {
  const msgs = Array.from({ length: 512 }, (_, i) => new Uint8Array(64).fill(i));
  const rate: Record<string, number> = {};
  for (const core of ['pipelined', 'iterative']) {
    const b = (await BACKEND_FACTORIES.fpga({ fpga: `sim:core=${core}` })) as Backend & { cycles(): number };
    const before = b.cycles();
    await b.keccak256(packMessages(msgs));
    rate[core] = msgs.length / (b.cycles() - before);
    await b.close();
  }
  expect(rate['pipelined']).toBeGreaterThan(0.9);
  expect(rate['iterative']).toBeGreaterThan(1 / 27);
  expect(rate['iterative']).toBeLessThan(1 / 24);
});

describe('fault knobs: the bridge detects, the backend throws, the next batch is fine', () => {
  const msgs = Array.from({ length: 120 }, (_, i) => new Uint8Array((i * 53) % 300).fill(i));
  const cases = [
    { knob: 'stall-after=40', status: 'EAF_E_TIMEOUT', says: /stopped accepting/ },
    { knob: 'corrupt=17', status: 'EAF_E_CORRUPT', says: /fails its CRC/ },
    { knob: 'drop=33', status: 'EAF_E_DROPPED', says: /1 of 120 digests missing/ },
    // Inside the card, after the main core: its CRC is valid, the duplicate core disagrees.
    { knob: 'flip=50', status: 'EAF_E_CORE', says: /duplicated cores disagreed on the digest for tag 50/ },
  ];
  for (const core of ['pipelined', 'iterative']) {
    for (const c of cases) {
      test(`${core}: ${c.knob} → ${c.status}`, async () => {
        const backend = await BACKEND_FACTORIES.fpga({ fpga: `sim:core=${core},${c.knob},timeout-cycles=3000` });
        try {
          const err = await backend.keccak256(packMessages(msgs)).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(BackendFaultError);
          expect((err as BackendFaultError).backend).toBe('fpga');
          expect((err as Error).message).toContain(c.status);
          expect((err as Error).message).toMatch(c.says);
          // What the runtime does next: the same batch again (here on the same, recovered device).
          expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
        } finally {
          await backend.close();
        }
      });
    }
  }
});

test('a bad target is unavailable, saying why', async () => {
  await expect(BACKEND_FACTORIES.fpga({ fpga: 'sim:core=quantum' })).rejects.toThrow(/bad sim knob "core=quantum"/);
  await expect(BACKEND_FACTORIES.fpga({ fpga: 'pcie0' })).rejects.toThrow(/unknown target/);
  await expect(BACKEND_FACTORIES.fpga({ fpga: 'xdma:/nonexistent/xdma9' })).rejects.toThrow(/cannot open/);
});

test('the HDL test benches pass under iverilog with random valid/ready stalls, and a bit flipped after the core is flagged', () => {
  const log = execFileSync('make', ['-s', '-j2', '-C', 'hdl', 'tb'], { cwd: ROOT, encoding: 'utf8' });
  expect(log).toMatch(/^PASS pipelined=1 check=1 inject=0 contexts=32 .* input-stall-cycles=[1-9]/m);
  expect(log).toMatch(/^PASS pipelined=0 check=1 inject=0 contexts=2 .* input-stall-cycles=[1-9]/m);
  // The flip hits the first of three blocks: only the disagreement carried to the digest flags it.
  expect(log.match(/^flipped tag 20 came out flagged by the duplicate core$/gm)).toHaveLength(2);
  expect(log).toMatch(/^PASS pipelined=1 check=1 inject=1 /m);
  expect(log).toMatch(/^PASS pipelined=0 check=1 inject=1 /m);
  // Without the check the same fault passes the CRC: what the link check alone cannot see.
  expect(log).toMatch(/^flipped tag 20 came out wrong under a valid CRC \(no check\)$/m);
  expect(log).toMatch(/^PASS pipelined=0 check=0 inject=1 /m);
  expect(log).not.toMatch(/FAIL/);
});
