import { CommanderError } from 'commander';
import { FloeError } from '../common/errors.js';
import { BackupWaitTimeoutError } from './backup-wait.js';
import {
  BatchError,
  EndpointUnreachableError,
  UsageError,
  VolumeErrorStatusError,
  WaitTimeoutError,
} from './errors.js';

/** What `floe` exits with; `floe --help` prints EXIT_CODE_HELP. */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  errorStatus: 4,
  unreachable: 5,
  waitTimeout: 6,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'success',
  1: 'the API refused the request or the operation failed (message shown)',
  2: 'usage error: unknown command or option, bad argument',
  3: 'not found: no volume or backup with that name or id (or the API answered 404)',
  4: 'while waiting (--wait), the volume ended in an error status',
  5: 'cannot reach the API endpoint',
  6: 'gave up waiting (--wait) after --timeout seconds',
};

export function exitCodeHelp(): string {
  const lines = Object.entries(EXIT_CODE_MEANINGS).map(([code, meaning]) => `  ${code}  ${meaning}`);
  return ['Exit codes:', ...lines].join('\n');
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  if (err instanceof BatchError) return exitCodeFor(err.failures[0]);
  if (err instanceof UsageError) return EXIT_CODES.usage;
  if (err instanceof VolumeErrorStatusError) return EXIT_CODES.errorStatus;
  if (err instanceof EndpointUnreachableError) return EXIT_CODES.unreachable;
  if (err instanceof WaitTimeoutError || err instanceof BackupWaitTimeoutError) return EXIT_CODES.waitTimeout;
  if (err instanceof FloeError && err.status === 404) return EXIT_CODES.notFound;
  return EXIT_CODES.failed;
}
