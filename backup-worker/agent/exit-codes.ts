import { CommanderError } from 'commander';
import { FloeError } from '../../common/errors.js';
import { RepositoryLockedError, WrongKeyError } from '../engine/errors.js';

/** What `floe-agent` exits with. */
export const AGENT_EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  wrongKey: 4,
  locked: 5,
} as const;
export type AgentExitCode = (typeof AGENT_EXIT_CODES)[keyof typeof AGENT_EXIT_CODES];

export const AGENT_EXIT_HELP = `Exit codes:
  0  success
  1  the operation failed, or verify/restore found damaged or missing data (message shown)
  2  usage error: unknown command or option, bad argument
  3  not found: no such backup, repository or source
  4  wrong repository key (passphrase or key file)
  5  the repository is locked by another operation (a running backup or prune)`;

export function agentExitCodeFor(err: unknown): AgentExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? AGENT_EXIT_CODES.ok : AGENT_EXIT_CODES.usage;
  if (err instanceof WrongKeyError) return AGENT_EXIT_CODES.wrongKey;
  if (err instanceof RepositoryLockedError) return AGENT_EXIT_CODES.locked;
  if (err instanceof FloeError && err.status === 404) return AGENT_EXIT_CODES.notFound;
  if (err instanceof FloeError && err.code === 'invalid_input') return AGENT_EXIT_CODES.usage;
  return AGENT_EXIT_CODES.failed;
}

/** verify found damaged or missing chunks (the report was printed). */
export class DamagedBackupError extends FloeError {
  constructor(backupId: string, count: number) {
    super('backup_damaged', 500, `Backup ${backupId} has ${count} damaged or missing chunk(s).`);
  }
}
