/**
 * cpu-native throughput against batch size (1 … 1M Keccak-256 messages of 64 bytes, 1 … 64k
 * recoveries), on one thread and on all cores, next to what a user would pick instead, measured in
 * the same run: @noble/hashes keccak_256 and hash-wasm keccak(256) per message, @noble/curves
 * recovery per signature. Shows where the per-call cost (koffi async dispatch, thread start) stops
 * mattering. Table on stdout, progress on stderr, JSON into bench/results/.
 *
 * Run: npm run build && node dist/bench/cpu-native-scaling.js [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createKeccak } from 'hash-wasm';
import type { Backend } from '../src/runtime/backend.js';
import { SIG_RECORD_BYTES, type PackedMessages, type PackedSignatures } from '../src/runtime/packing.js';
import { recoverOneReference } from '../src/backends/cpu/js-backend.js';
import { openCpuNative } from '../src/backends/cpu/native-backend.js';
import { findPackageRoot } from '../src/backends/cpu/native-library.js';

const quick = process.argv.includes('--quick');
const MSG_BYTES = 64;
/** Each point is timed for at least this long (after one warm-up call). */
const MIN_MS = quick ? 100 : 400;

interface Point {
  batch: number;
  /** Items per second, all cores. */
  rate: number;
  /** Items per second, one thread. */
  rate1: number;
  /** Microseconds per call, all cores. */
  callUs: number;
}

/** Repeats fn until MIN_MS have passed; returns ms per call. */
async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn();
  let calls = 0;
  const t0 = performance.now();
  let now = t0;
  do {
    await fn();
    calls++;
    now = performance.now();
  } while (now - t0 < MIN_MS);
  return (now - t0) / calls;
}

function sizes(max: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= max; n *= 4) out.push(n);
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}

function progress(msg: string): void {
  process.stderr.write(`\r\x1b[K${msg}`);
}

function packedMessages(count: number): PackedMessages {
  const data = new Uint8Array(count * MSG_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const offsets = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) {
    offsets[2 * i] = i * MSG_BYTES;
    offsets[2 * i + 1] = MSG_BYTES;
  }
  return { data, offsets, count };
}

/** `count` valid signatures: a few real ones repeated (recovery cost does not depend on the value). */
function packedSignatures(count: number): PackedSignatures {
  const distinct = Array.from({ length: 64 }, (_, i) => {
    const hash = keccak_256(new Uint8Array([i]));
    const sig = secp256k1.sign(hash, secp256k1.utils.randomSecretKey(), { prehash: false, format: 'recovered' });
    const rec = new Uint8Array(SIG_RECORD_BYTES);
    rec.set(hash);
    rec.set(sig.subarray(1), 32);
    rec[96] = sig[0]!;
    return rec;
  });
  const records = new Uint8Array(count * SIG_RECORD_BYTES);
  for (let i = 0; i < count; i++) records.set(distinct[i % distinct.length]!, i * SIG_RECORD_BYTES);
  return { records, count };
}

async function sweep(
  kernel: string,
  max: number,
  make: (n: number) => unknown,
  run: (b: Backend, batch: never) => Promise<unknown>,
  all: Backend,
  one: Backend,
): Promise<Point[]> {
  const points: Point[] = [];
  for (const n of sizes(max)) {
    progress(`${kernel}: batch ${n}`);
    const batch = make(n) as never;
    const ms = await timeIt(() => run(all, batch));
    const ms1 = await timeIt(() => run(one, batch));
    points.push({ batch: n, rate: (n / ms) * 1000, rate1: (n / ms1) * 1000, callUs: ms * 1000 });
  }
  return points;
}

/** Smallest batch reaching 90% of the best rate: past it, the per-call cost no longer matters. */
function knee(points: Point[]): number {
  const best = Math.max(...points.map((p) => p.rate));
  return points.find((p) => p.rate >= 0.9 * best)!.batch;
}

function fmtRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : r >= 1e3 ? `${(r / 1e3).toFixed(1)} k/s` : `${r.toFixed(0)} /s`;
}

async function main(): Promise<void> {
  const threads = os.availableParallelism();
  const all = await openCpuNative({ workers: threads });
  const one = await openCpuNative({ workers: 1 });

  // Peers, per message / signature on the JS thread, as a user would call them.
  progress('peers: noble keccak');
  const peerMsgs = packedMessages(20_000);
  const msgAt = (i: number) => peerMsgs.data.subarray(i * MSG_BYTES, (i + 1) * MSG_BYTES);
  const nobleKeccak = (peerMsgs.count / (await timeIt(() => {
    for (let i = 0; i < peerMsgs.count; i++) keccak_256(msgAt(i));
  }))) * 1000;
  progress('peers: hash-wasm keccak');
  const hasher = await createKeccak(256);
  const hashWasm = (peerMsgs.count / (await timeIt(() => {
    for (let i = 0; i < peerMsgs.count; i++) {
      hasher.init();
      hasher.update(msgAt(i));
      hasher.digest('binary');
    }
  }))) * 1000;
  progress('peers: noble recovery');
  const peerSigs = packedSignatures(quick ? 50 : 200);
  const nobleRecover = (peerSigs.count / (await timeIt(() => {
    for (let i = 0; i < peerSigs.count; i++) {
      recoverOneReference(peerSigs.records.subarray(i * SIG_RECORD_BYTES, (i + 1) * SIG_RECORD_BYTES));
    }
  }))) * 1000;

  const keccak = await sweep('keccak256', quick ? 65_536 : 1 << 20, packedMessages, (b, m) => b.keccak256(m), all, one);
  const recover = await sweep('ecrecover', quick ? 4096 : 65_536, packedSignatures, (b, s) => b.ecrecover!(s), all, one);
  progress('');
  await Promise.all([all.close(), one.close()]);

  const machine = {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: threads,
    loadAverage: os.loadavg(),
    node: process.version,
    device: all.describe().device,
  };
  const bestKeccak = Math.max(...keccak.map((p) => p.rate));
  const bestRecover = Math.max(...recover.map((p) => p.rate));
  const summary = {
    keccak64: { native: bestKeccak, noble: nobleKeccak, hashWasm, vsNoble: bestKeccak / nobleKeccak, vsHashWasm: bestKeccak / hashWasm, kneeBatch: knee(keccak) },
    ecrecover: { native: bestRecover, noble: nobleRecover, vsNoble: bestRecover / nobleRecover, kneeBatch: knee(recover) },
  };

  const out: string[] = [`cpu-native scaling on ${machine.cpu} (${threads} threads), load ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}`];
  for (const [name, pts] of [['keccak256, 64-byte messages', keccak], ['ecrecover', recover]] as const) {
    out.push('', `${name}`, '     batch   all threads    1 thread   µs/call');
    for (const p of pts) {
      out.push(`${String(p.batch).padStart(10)}  ${fmtRate(p.rate).padStart(12)}  ${fmtRate(p.rate1).padStart(10)}  ${p.callUs.toFixed(1).padStart(8)}`);
    }
  }
  out.push(
    '',
    `keccak256 64 B: native ${fmtRate(bestKeccak)}, @noble/hashes ${fmtRate(nobleKeccak)} (×${summary.keccak64.vsNoble.toFixed(1)}), ` +
      `hash-wasm ${fmtRate(hashWasm)} (×${summary.keccak64.vsHashWasm.toFixed(1)}); 90% of peak from batch ${summary.keccak64.kneeBatch}`,
    `ecrecover: native ${fmtRate(bestRecover)}, @noble/curves ${fmtRate(nobleRecover)} (×${summary.ecrecover.vsNoble.toFixed(1)}); ` +
      `90% of peak from batch ${summary.ecrecover.kneeBatch}`,
  );
  process.stdout.write(out.join('\n') + '\n');

  const dir = join(findPackageRoot(import.meta.dirname), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cpu-native-scaling-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ bench: 'cpu-native-scaling', quick, machine, summary, keccak, recover }, null, 2) + '\n');
  process.stderr.write(`wrote ${file}\n`);
}

await main();
