import { COMMAND_USAGE, UsageError, type CommandName } from './usage.js';

type Command = (argv: string[]) => Promise<number>;

// Loaded on use, so that `--help` and `--version` answer at once.
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  info: async () => (await import('./commands/info.js')).info,
  demo: async () => (await import('./commands/demo.js')).demo,
  'run-block': async () => (await import('./commands/run-block.js')).runBlock,
  bench: async () => (await import('./commands/bench.js')).bench,
};

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/**
 * Runs one command and returns its exit code: its usage on `--help`, and for a UsageError the
 * message (with the usage) on stderr and 2.
 */
export async function runCommand(name: CommandName, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(COMMAND_USAGE[name].usage);
    return 0;
  }
  try {
    return await (await COMMANDS[name]())(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`evm-accel ${name}: ${e.message}\n${e.showUsage ? COMMAND_USAGE[name].usage : ''}`);
    return 2;
  }
}
