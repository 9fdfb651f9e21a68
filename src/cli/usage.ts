import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ALL_BACKENDS } from '../runtime/types.js';

/**
 * A command line the command cannot run: main prints the message (and the command's usage when
 * `showUsage`) on stderr and exits 2, the Unix convention for usage errors.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** node:util's parseArgs (strict), with its errors (unknown option, missing value) as UsageError. */
export function parseCommandLine<T extends Omit<ParseArgsConfig, 'args' | 'strict'>>(argv: string[], config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs({ ...config, args: argv, strict: true }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** An integer option in [min, max], or undefined when absent. */
export function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${value}'`);
  }
  return n;
}

/** A comma-separated list of integers in [min, max], e.g. `--workers 1,2,4`. */
export function intListOption(name: string, value: string, min: number, max: number): number[] {
  return value.split(',').map((v) => intOption(name, v, min, max)!);
}

const BACKENDS = ALL_BACKENDS.join('|');

/** The most worker threads a command starts. */
export const MAX_WORKERS = 256;

/** One line per command for `evm-accel help`, and each command's usage for `<command> --help`. */
export const COMMAND_USAGE = {
  info: {
    summary: 'backends found, devices, why any is unavailable',
    usage: `usage: evm-accel info [--json] [--all]

The backends found on this machine, their devices and calibrated rates (and whether they came from
the calibration cache), why any is unavailable, where batches go by size, and how they are checked.
  --json       one JSON object on stdout
  --all        also measure emulated devices that routing never puts first (SwiftShader, the
               Verilator model: tens of seconds); their figures are then cached
`,
  },
  demo: {
    summary: 'replay the bundled blocks, verified, sequential vs parallel',
    usage: `usage: evm-accel demo [--json] [--workers N] [--blocks N]

Replays the bundled blocks (six mainnet ones, then a Prague and an Osaka block built from fixed
keys: no mainnet fixture covers those forks) with plain ethereumjs runBlock and with the parallel executor
(senders recovered in one batch on the best backend), verifies each against its header and against
runBlock, and measures each ready backend's kernels. Exit code 0 only when every block verifies.
  --json       one JSON object on stdout (progress stays on stderr)
  --workers N  worker threads (default: the available cores but one)
  --blocks N   only the first N bundled blocks (1..8; default: all)
`,
  },
  'run-block': {
    summary: 'replay mainnet block fixtures and check them against their headers',
    usage: `usage: evm-accel run-block <fixture.json.gz | folder> [--workers N] [--backend ${BACKENDS}] [--sequential] [--json]

Replays block fixtures with the parallel executor and checks everything a fixture can check:
before execution, the block hash recomputed from the header fields (it binds every header field),
parentHash (where the fixture has the parent's hash), transactionsRoot and each transaction's hash,
sha3Uncles (blocks without uncles), withdrawalsRoot (Shanghai on), blobGasUsed (Cancun on); during
it, every sender against the fixture's from; after it, gasUsed, logsBloom, receiptsRoot (Byzantium on)
and requestsHash (Prague on), and the stateRoot of a built fixture (its pre-state is the whole world
state). Each block says what it checked and what it cannot check, and why (a mainnet fixture's
post-state root: its pre-state is partial). A block that fails a check is re-run with senders from
the reference backend before it is called invalid. Exit code 0 only when every block matches.
  --workers N    worker threads (default: the available cores but one)
  --backend B    the backend that recovers senders (default: the best found, with fallback);
                 an unavailable one is an error
  --sequential   also run plain ethereumjs runBlock from the same pre-state and require
                 an identical outcome (state root included)
  --json         one JSON object per block on stdout
`,
  },
  bench: {
    summary: 'kernel and block benchmarks against the libraries a user would pick instead',
    usage: `usage: evm-accel bench [keccak|ecrecover|block ...] [--backend ${BACKENDS}] [--quick] [--json]
                       [--workers 1,2] [--max-batch N] [--verify sample,none,full] [--out DIR] [--report DIR]

Measures evm-accel's backends next to @noble/hashes, hash-wasm (when installed) and @noble/curves,
and the parallel executor next to runBlock. Progress on stderr, a table on stdout.
  --backend B    measure only this backend (an unavailable one is an error)
  --quick        fewer sizes and batches
  --json         one JSON object on stdout
  --workers L    worker counts for the block benchmark (default 1,2)
  --max-batch N  largest ecrecover batch (default 65536, 4096 with --quick)
  --verify L     verification levels to measure side by side (default sample,none,full;
                 sample,none with --quick)
  --out DIR      where the JSON results go (default ./bench-results)
  --report DIR   also write DIR/report.html with SVG charts
`,
  },
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;
