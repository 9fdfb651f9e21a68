#!/usr/bin/env node
/** The `evm-accel` command: dispatches to one module per subcommand in ./commands. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { isCommand, runCommand } from './run-command.js';
import { COMMAND_USAGE } from './usage.js';

function usage(): string {
  const lines = Object.entries(COMMAND_USAGE).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: evm-accel <command> [options]
       evm-accel help [command] | <command> --help | --version

commands:
${lines.join('\n')}
`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return `evm-accel ${pkg.version}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(version());
    return 0;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0];
    if (topic === undefined) process.stdout.write(usage());
    else if (isCommand(topic)) process.stdout.write(COMMAND_USAGE[topic].usage);
    else {
      process.stderr.write(`evm-accel: no command '${topic}'\n${usage()}`);
      return 2;
    }
    return 0;
  }
  if (!isCommand(name)) {
    process.stderr.write(`${name === undefined ? '' : `evm-accel: unknown command '${name}'\n`}${usage()}`);
    return 2;
  }
  return runCommand(name, rest);
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
