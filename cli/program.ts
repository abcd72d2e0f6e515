import { Command, CommanderError } from 'commander';
import { parseSeconds } from './arguments.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerPoolCommands } from './commands/pool.js';
import { registerRepositoryCommands } from './commands/repository.js';
import { registerServiceCommands } from './commands/service.js';
import { registerVolumeCommands } from './commands/volume.js';
import { DEFAULT_ENDPOINT, ENVIRONMENT_HELP } from './connection.js';
import { contextFactory, type CliIo } from './context.js';
import { formatError } from './errors.js';
import { EXIT_CODES, exitCodeFor, exitCodeHelp, type ExitCode } from './exit-codes.js';

export const DEFAULT_WAIT_TIMEOUT_S = 600;

/** The `floe` command tree; a fresh one per run (commander keeps parsed values on it). */
export function buildProgram(io: CliIo): Command {
  const program = new Command('floe')
    .description('Command-line client for Floe (block storage with the OpenStack Cinder v3 API).')
    .option('--endpoint <url>', `API root URL (env FLOE_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .option('--project <id>', 'project id (env FLOE_PROJECT or OS_PROJECT_ID, default demo)')
    .option('--user <id>', 'user id (env FLOE_USER or OS_USER_ID, default demo)')
    .option('--json', 'print the API objects as JSON instead of tables')
    .option('--timeout <seconds>', 'how long --wait waits before giving up', parseSeconds, DEFAULT_WAIT_TIMEOUT_S)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${exitCodeHelp()}`);
  const contextOf = contextFactory(io);
  registerVolumeCommands(program, contextOf);
  registerBackupCommands(program, contextOf);
  registerRepositoryCommands(program, contextOf);
  registerServiceCommands(program, contextOf);
  registerPoolCommands(program, contextOf);
  return program;
}

/** Runs one command line (without `node floe`); returns the exit code after printing any error. */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    await buildProgram(io).parseAsync([...args], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (err) {
    if (!(err instanceof CommanderError)) io.stderr.write(`${formatError(err)}\n`);
    return exitCodeFor(err);
  }
}
