import type { Block } from '@ethereumjs/block';
import { TxError } from './errors.js';
import { executeBlock, type ExecuteBlockOptions, type ExecuteBlockResult } from './executor.js';
import type { FieldCheck } from './outcome.js';
import { referenceRecovery } from './reference-recovery.js';
import type { StateSource } from './state-source.js';

/** Options of {@link executeBlockVerified}: the executor's, plus how to judge an outcome. */
export interface VerifiedExecuteOptions extends ExecuteBlockOptions {
  /** Checks an outcome against the block's header; a check that does not match makes the block invalid. */
  judge(result: ExecuteBlockResult): FieldCheck[] | Promise<FieldCheck[]>;
}

/** A block an accelerated run found invalid, re-run with senders and authorities recovered by the reference backend. */
export interface Recheck {
  /** Which path disagreed with the header: only the accelerated one (the block is valid), or both (it is not). */
  disagreed: 'accelerated' | 'both';
  /** The accelerated run's verdict: the fields that differed from the header, or its error. */
  accelerated: string;
  /** The reference re-run's verdict, in the same words ('agrees with the header' when it does). */
  reference: string;
}

/** What {@link executeBlockVerified} returns: the outcome that stands, its checks, and the re-check if one ran. */
export interface VerifiedExecution {
  result: ExecuteBlockResult;
  checks: FieldCheck[];
  recheck?: Recheck;
}

type Verdict = { result: ExecuteBlockResult; checks: FieldCheck[]; bad: FieldCheck[] } | { error: TxError };

/** What the re-run uses, in words for messages. */
export const REFERENCE_PATH = 'senders and 7702 authorities recovered by the reference backend (cpu-js)';

/**
 * Executes a block and never calls it invalid because of an accelerator: when the outcome fails
 * `judge` (roots, gas, bloom differ from the header) or a transaction is rejected (a TxError: bad
 * signature, sender not the block's, nonce, funds...), the block is re-run from the same pre-state
 * with senders (and EIP-7702 authorities, recovered in the same batch) from the reference backend
 * before that verdict is given. If the re-run passes, its outcome stands and `recheck` says the
 * accelerated path disagreed; if it fails too, its verdict is returned (mismatching checks) or
 * thrown (a TxError saying both paths agree), and the target is left at the pre-state, as after
 * any invalid block.
 * Blocks that pass on the first run cost nothing more than one state-root read. Other errors
 * (a crashed worker, an unsupported block) are not verdicts and are thrown as they are.
 */
export async function executeBlockVerified(block: Block, source: StateSource, opts: VerifiedExecuteOptions): Promise<VerifiedExecution> {
  // Signatures recovered ahead came from the accelerator: the re-run recovers its own.
  const { judge, senders, authorities, ...execOpts } = opts;
  const preRoot = await execOpts.target.getStateRoot();
  const run = async (o: ExecuteBlockOptions): Promise<Verdict> => {
    try {
      const result = await executeBlock(block, source, o);
      const checks = await judge(result);
      return { result, checks, bad: checks.filter((c) => !c.match) };
    } catch (e) {
      if (e instanceof TxError) return { error: e };
      throw e;
    }
  };
  const first = await run({ ...execOpts, ...(senders && { senders }), ...(authorities && { authorities }) });
  if ('result' in first && first.bad.length === 0) return { result: first.result, checks: first.checks };
  // The executor leaves the target at the pre-state after an error, at the post-state otherwise.
  if ('result' in first) await execOpts.target.setStateRoot(preRoot);
  if (execOpts.accelerator === referenceRecovery && !senders) return settle(first);

  const second = await run({ ...execOpts, accelerator: referenceRecovery });
  const recheck: Recheck = {
    disagreed: 'result' in second && second.bad.length === 0 ? 'accelerated' : 'both',
    accelerated: describe(first),
    reference: describe(second),
  };
  if ('error' in second) {
    const e = second.error;
    const also = recheck.accelerated === recheck.reference ? '' : `; the accelerated run said: ${recheck.accelerated}`;
    throw new TxError(e.txIndex, e.txHash, `${e.problem} (the re-run with ${REFERENCE_PATH} agrees${also})`);
  }
  if (recheck.disagreed === 'both') await execOpts.target.setStateRoot(preRoot);
  return { result: second.result, checks: second.checks, recheck };
}

function settle(v: Verdict): VerifiedExecution {
  if ('error' in v) throw v.error;
  return { result: v.result, checks: v.checks };
}

function describe(v: Verdict): string {
  if ('error' in v) return v.error.message;
  if (v.bad.length === 0) return 'agrees with the header';
  return `${v.bad.map((c) => c.field).join(', ')} differ from the header`;
}
