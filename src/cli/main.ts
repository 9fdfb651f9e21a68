#!/usr/bin/env node
/** The `evm-accel` command: dispatches to one module per subcommand in ./commands. */

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  info: { summary: 'backends found, devices, why any is unavailable', load: async () => (await import('./commands/info.js')).info },
  demo: { summary: 'replay the bundled mainnet blocks, verified, sequential vs parallel', load: async () => (await import('./commands/demo.js')).demo },
  'run-block': { summary: 'replay mainnet block fixtures and check them against their headers', load: async () => (await import('./commands/run-block.js')).runBlock },
  bench: { summary: 'kernel benchmarks against the libraries a user would pick instead', load: async () => (await import('./commands/bench.js')).bench },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: evm-accel <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`evm-accel: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return (await cmd.load())(rest);
}

// `evm-accel info | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`evm-accel: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
