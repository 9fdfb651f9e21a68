import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createAccelerator, type Accelerator, type BackendName, type Signature } from '../../index.js';
import { loadFixture } from '../../evm/fixture.js';
import { replayFixture, type ReplayReport } from '../../evm/replay.js';
import { WorkerPool } from '../../evm/worker-pool.js';
import { packageRoot } from '../../package-root.js';
import { Progress } from '../../bench/progress.js';
import { formatRate, rate } from '../../bench/timing.js';
import { intOption, MAX_WORKERS, parseCommandLine } from '../usage.js';

/**
 * The bundled blocks: the largest mainnet fixtures (where parallelism and batched recovery pay off)
 * plus an early and a recent one, about 1.3 MB in all.
 */
export const DEMO_BLOCKS = [46147, 5891667, 11814555, 13287210, 14396881, 19929064];

/**
 * Prague and Osaka blocks: no mainnet fixture covers them, so these are built from fixed keys
 * (test/fixtures/built) and labelled as built wherever the demo shows them.
 */
export const DEMO_BUILT_BLOCKS = ['22431084-prague-fork', '23935694-osaka-fork'];

interface KernelRate {
  backend: BackendName;
  keccak64PerSecond: number;
  ecrecoverPerSecond?: number;
}

/** A short measurement of each ready backend's kernels, through the public API with the backend forced. */
async function kernelRates(accel: Accelerator): Promise<KernelRate[]> {
  const msgs = Array.from({ length: 16384 }, (_, i) => keccak_256(new Uint8Array([i & 0xff, i >> 8])).slice(0, 32)).map((h) => new Uint8Array([...h, ...h]));
  const sig = (i: number): Signature => {
    const hash = keccak_256(new Uint8Array([7, i]));
    const s = secp256k1.sign(hash, keccak_256(new Uint8Array([9, i])), { prehash: false, format: 'recovered' });
    return { hash, r: s.subarray(1, 33), s: s.subarray(33, 65), recovery: s[0] as 0 | 1 };
  };
  const base = Array.from({ length: 64 }, (_, i) => sig(i));
  const out: KernelRate[] = [];
  for (const b of accel.backends.filter((x) => x.status === 'ready')) {
    const force = { backend: b.name };
    // Software backends (the JS reference, SwiftShader) recover tens to hundreds a second: a small
    // batch measures them as well as a large one, and keeps the demo short.
    const sigs = Array.from({ length: b.kind === 'software' ? 64 : 4096 }, (_, i) => base[i % base.length]!);
    const keccak64PerSecond = await rate(msgs.length, () => accel.keccak256(msgs, force), 150);
    const ecrecoverPerSecond = b.kernels.includes('ecrecover') ? await rate(sigs.length, () => accel.ecrecover(sigs, force), 150) : undefined;
    out.push({ backend: b.name, keccak64PerSecond, ...(ecrecoverPerSecond !== undefined && { ecrecoverPerSecond }) });
  }
  return out;
}

type DemoBlock = Omit<ReplayReport, 'mismatches'> & { mismatches: number; source: 'mainnet' | 'built' };

/**
 * `evm-accel demo [--json] [--workers N] [--blocks N]`: the backends found, the bundled blocks
 * (mainnet, and built Prague and Osaka ones, labelled `source: 'built'`) replayed
 * sequentially (plain ethereumjs runBlock) and in parallel (Block-STM with batched sender recovery
 * on the best backend), each verified against its header and against the sequential result, and
 * the kernels' throughput per backend.
 */
export async function demo(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    options: { json: { type: 'boolean', default: false }, workers: { type: 'string' }, blocks: { type: 'string' } },
  });
  const workers = intOption('workers', values.workers, 1, MAX_WORKERS);
  const all = [...DEMO_BLOCKS.map((n) => ['mainnet', String(n)] as const), ...DEMO_BUILT_BLOCKS.map((name) => ['built', name] as const)];
  const files = all.slice(0, intOption('blocks', values.blocks, 1, all.length));
  const say = (s: string) => void (values.json ? process.stderr : process.stdout).write(s);
  const accel = await createAccelerator();
  const pool = WorkerPool.create(workers);
  try {
    say('backends:\n');
    for (const b of await accel.ready()) say(`  ${b.name.padEnd(11)} ${b.status.padEnd(12)} ${b.device}${b.reason ? ` (${b.reason})` : ''}\n`);
    const progress = new Progress(files.length + 1, 'demo');
    const blocks: DemoBlock[] = [];
    for (const [source, name] of files) {
      const fx = await loadFixture(join(packageRoot(), 'test', 'fixtures', source, `${name}.json.gz`));
      const { result: _r, mismatches, ...report } = await replayFixture(fx, { pool, accelerator: accel, sequential: true });
      blocks.push({ ...report, mismatches: mismatches.length, source });
      progress.tick(`${source} block ${name}: ${report.match ? 'verified' : 'MISMATCH'}`);
    }
    const kernels = await kernelRates(accel);
    progress.tick('kernels measured');
    progress.end();
    const seqMs = blocks.reduce((s, b) => s + b.sequential!.ms, 0);
    const parMs = blocks.reduce((s, b) => s + b.ms, 0);
    const verified = blocks.every((b) => b.match);
    const summary = {
      verified,
      blocks,
      totals: { txs: blocks.reduce((s, b) => s + b.txs, 0), sequentialMs: seqMs, parallelMs: parMs, speedup: seqMs / parMs },
      workers: pool.size,
      backends: accel.backends,
      kernels,
      stats: accel.stats(),
    };
    if (values.json) {
      process.stdout.write(JSON.stringify(summary, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
    } else {
      say(`\n${'block'.padStart(10)} ${'fork'.padEnd(16)} ${'txs'.padStart(5)} ${'runBlock'.padStart(10)} ${'evm-accel'.padStart(10)} ${'path'.padEnd(9)} ${'speed-up'.padStart(9)}  re-exec  verified\n`);
      for (const b of blocks) {
        say(
          `${`${b.number}${b.source === 'built' ? '*' : ''}`.padStart(10)} ${b.hardfork.padEnd(16)} ${String(b.txs).padStart(5)} ${`${b.sequential!.ms.toFixed(0)} ms`.padStart(10)} ` +
            `${`${b.ms.toFixed(0)} ms`.padStart(10)} ${(b.workers ? `${b.workers} worker${b.workers === 1 ? '' : 's'}` : 'inline').padEnd(9)} ${`${b.sequential!.speedup.toFixed(2)}×`.padStart(9)}  ${String(b.reExecutions).padStart(7)}  ${b.match ? 'yes (header, runBlock)' : 'NO'}\n`,
        );
      }
      say(`* built from fixed keys (test/fixtures/built), not a mainnet block: no mainnet fixture covers Prague or Osaka\n`);
      const inline = blocks.filter((b) => b.workers === 0).length;
      const where = `a pool of ${pool.size} worker${pool.size === 1 ? '' : 's'}${inline ? ` (${inline} block${inline === 1 ? '' : 's'} inline, chosen by the cost model)` : ''}`;
      say(`\n${summary.totals.txs} transactions: runBlock ${seqMs.toFixed(0)} ms, evm-accel ${parMs.toFixed(0)} ms on ${where}: ${summary.totals.speedup.toFixed(2)}× faster\n`);
      say('\nkernel throughput (this machine, short runs):\n');
      for (const k of kernels) {
        say(`  ${k.backend.padEnd(11)} keccak256 64 B ${formatRate(k.keccak64PerSecond).padStart(10)}${k.ecrecoverPerSecond ? `   ecrecover ${formatRate(k.ecrecoverPerSecond).padStart(10)}` : ''}\n`);
      }
    }
    return verified ? 0 : 1;
  } finally {
    await pool.close();
    await accel.close();
  }
}
