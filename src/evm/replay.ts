import type { Block } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';
import { fixtureBlock, FixtureBlockHashes } from './chain.js';
import type { ExecuteBlockOptions, ExecuteBlockResult } from './executor.js';
import { loadFixture, type BlockFixture } from './fixture.js';
import { checkFixtureBlock, holdsWholeState } from './fixture-checks.js';
import { checkAgainstHeader, sameOutcome, uncheckedAgainstHeader, type CheckedField, type FieldCheck, type UncheckedField } from './outcome.js';
import { stateManagerFromPreState } from './pre-state.js';
import { SenderPrefetcher } from './sender-prefetch.js';
import type { SenderRecovery } from './senders.js';
import { runBlockSequential } from './sequential.js';
import { InMemoryStateSource } from './state-source.js';
import { executeBlockVerified, type Recheck } from './verified-execution.js';
import type { WorkerPool } from './worker-pool.js';

/** One fixture block replayed: the parallel result checked against the header (and optionally sequential runBlock). */
export interface ReplayReport {
  number: number;
  hardfork: string;
  txs: number;
  gasUsed: string;
  logsBloom: string;
  receiptsRoot: string;
  stateRoot: string;
  expectedGasUsed: string;
  expectedLogsBloom: string;
  expectedReceiptsRoot: string;
  /** Every field checked, before execution (block hash, roots of the block's own data) and after it (gas, bloom, receipts). */
  checked: CheckedField[];
  /** What this fixture cannot check, and why (the post-state root of a mainnet fixture: its pre-state is partial). */
  unchecked: UncheckedField[];
  /** Every checked field matches, and with `sequential` the sequential outcome is identical too. */
  match: boolean;
  mismatches: FieldCheck[];
  ms: number;
  sendersMs: number;
  workers: number;
  executions: number;
  reExecutions: number;
  /** Transactions run in order after the executor detected thrashing, and how many times it did. */
  inOrderTxs: number;
  fallbacks: number;
  /** With `sequential`: plain runBlock's time and whether its outcome (state root included) is identical. */
  sequential?: { ms: number; stateRoot: string; identical: boolean; speedup: number };
  /** Present when the accelerated run disagreed with the block and the block was re-run with reference senders. */
  recheck?: Recheck;
}

/** Options of {@link replayFixture}. */
export interface ReplayOptions {
  pool: WorkerPool;
  accelerator?: SenderRecovery;
  /** Also run plain sequential runBlock from the same pre-state and compare. */
  sequential?: boolean;
  /** The execution path (see {@link ExecuteBlockOptions.mode}); default `auto`. */
  mode?: ExecuteBlockOptions['mode'];
  /** Recovers senders ahead: the block's are taken from it (see {@link replayFixtures}). */
  prefetcher?: SenderPrefetcher;
}

/** A fixture block whose execution failed, with what the checks made before execution found. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  constructor(
    readonly number: number,
    /** The checks made before execution; their mismatches are named in the message too. */
    readonly checks: FieldCheck[],
    cause: unknown,
  ) {
    const bad = checks.filter((c) => !c.match).map((c) => c.field);
    const message = cause instanceof Error ? cause.message : String(cause);
    super(bad.length ? `${message} (and ${bad.join(', ')} differ from the fixture)` : message, { cause });
  }
}

/** Replays one fixture block with the executor and checks it; `built`: its Block, already made from `fx`. */
export async function replayFixture(fx: BlockFixture, opts: ReplayOptions, built?: Block): Promise<ReplayReport & { result: ExecuteBlockResult }> {
  const block = built ?? (await fixtureBlock(fx));
  const before = await checkFixtureBlock(fx, block);
  const whole = holdsWholeState(fx);
  const source = new InMemoryStateSource({ preState: fx.preState, blockHashes: fx.blockHashes });
  const target = await stateManagerFromPreState(fx.preState);
  const expectedSenders = fx.block.transactions.map((t) => t.from);
  const t0 = performance.now();
  let verified;
  try {
    // A block whose prefetched recovery failed recovers again in the executor, where a failure is re-checked.
    const signatures = opts.prefetcher && (await opts.prefetcher.signatures(block).catch(() => undefined));
    verified = await executeBlockVerified(block, source, {
      target,
      pool: opts.pool,
      accelerator: opts.accelerator,
      ...(opts.mode && { mode: opts.mode }),
      expectedSenders,
      ...signatures,
      judge: (r) => [sendersCheck(expectedSenders), ...checkAgainstHeader(block, r, whole)],
    });
  } catch (e) {
    throw new ReplayError(fx.number, before.checks, e);
  }
  const ms = performance.now() - t0;
  const { result, recheck } = verified;
  const checks = [...before.checks, ...verified.checks];
  const mismatches = checks.filter((c) => !c.match);
  const report: ReplayReport & { result: ExecuteBlockResult } = {
    number: fx.number,
    hardfork: block.common.hardfork(),
    txs: block.transactions.length,
    gasUsed: result.gasUsed.toString(),
    logsBloom: bytesToHex(result.logsBloom),
    receiptsRoot: bytesToHex(result.receiptsRoot),
    stateRoot: bytesToHex(result.stateRoot),
    expectedGasUsed: block.header.gasUsed.toString(),
    expectedLogsBloom: bytesToHex(block.header.logsBloom),
    expectedReceiptsRoot: bytesToHex(block.header.receiptTrie),
    checked: checks.map((c) => c.field),
    unchecked: [...before.unchecked, ...uncheckedAgainstHeader(block, result, whole)],
    match: mismatches.length === 0,
    mismatches,
    ms,
    sendersMs: result.timings.sendersMs,
    workers: result.workers,
    executions: result.executions,
    reExecutions: result.reExecutions,
    inOrderTxs: result.inOrderTxs,
    fallbacks: result.fallbacks,
    ...(recheck && { recheck }),
    result,
  };
  if (opts.sequential) {
    // A fresh block object: the parallel run must not hand sequential runBlock cached senders.
    const seqBlock = await fixtureBlock(fx);
    const sm = await stateManagerFromPreState(fx.preState);
    const s0 = performance.now();
    const seq = await runBlockSequential(seqBlock, sm, new FixtureBlockHashes(fx.blockHashes));
    const seqMs = performance.now() - s0;
    const identical = sameOutcome(seq, result);
    report.sequential = { ms: seqMs, stateRoot: bytesToHex(seq.stateRoot), identical, speedup: seqMs / ms };
    report.match &&= identical;
  }
  return report;
}

/**
 * The executor compared every recovered sender with the fixture's `from` and would have thrown a
 * TxError at the first that differs: reaching here, they all agree.
 */
function sendersCheck(expected: readonly string[]): FieldCheck {
  const n = `${expected.length} senders as the fixture's from`;
  return { field: 'senders', got: n, expected: n, match: true };
}

/** Blocks whose senders are recovered ahead of the one executing, in one batch. */
const LOOKAHEAD = 4;

/**
 * Replays fixture files in order, as a node replays a chain: while one block executes, the next
 * fixtures are loaded and their senders (and authorities) recovered in one accelerator batch.
 * `each` gets every block's report, or the error that block ended with (the others still run).
 */
export async function replayFixtures(
  files: readonly string[],
  opts: Omit<ReplayOptions, 'prefetcher'> & { accelerator: SenderRecovery },
  each: (file: string, r: (ReplayReport & { result: ExecuteBlockResult }) | Error) => void,
): Promise<void> {
  const prefetcher = new SenderPrefetcher(opts.accelerator);
  const loaded: Promise<{ fx: BlockFixture; block: Block }>[] = [];
  const load = (i: number) => {
    loaded[i] ??= loadFixture(files[i]!).then(async (fx) => ({ fx, block: await fixtureBlock(fx) }));
    loaded[i]!.catch(() => {});
    return loaded[i]!;
  };
  for (let i = 0; i < files.length; i++) {
    const ahead = files.slice(i, i + LOOKAHEAD).map((_, k) => load(i + k));
    void Promise.allSettled(ahead).then((rs) => prefetcher.prefetch(rs.flatMap((r) => (r.status === 'fulfilled' ? [r.value.block] : []))));
    try {
      const { fx, block } = await load(i);
      each(files[i]!, await replayFixture(fx, { ...opts, prefetcher }, block));
    } catch (e) {
      each(files[i]!, e instanceof Error ? e : new Error(String(e)));
    }
  }
}
