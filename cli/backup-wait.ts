import { setTimeout as sleep } from 'node:timers/promises';
import { FloeError } from '../common/errors.js';
import { NoMatchError } from './errors.js';
import type { FloeApi } from './floe-api.js';
import { formatTransfer, type Progress, type TransferSample } from './progress.js';
import type { Backup } from './types.js';
import type { WaitSettings } from './wait.js';

export class BackupFailedError extends FloeError {
  constructor(backupId: string, what: string, reason: string) {
    super('backup_failed', 500, `${what} of backup ${backupId} failed: ${reason}`);
  }
}

export class BackupWaitTimeoutError extends FloeError {
  constructor(backupId: string, seconds: number, status: string) {
    super('wait_timeout', 504, `gave up waiting for backup ${backupId} after ${seconds} s (status ${status}); raise --timeout to wait longer`);
  }
}

/** What a --wait on a backup follows: the status it runs in, and how it ends. */
export interface BackupGoal {
  readonly what: 'backup' | 'restore' | 'delete';
  /** While the backup is in this status, its progress is shown. */
  readonly running: string;
  readonly errorStatuses: readonly string[];
}

export const BACKUP_CREATED: BackupGoal = { what: 'backup', running: 'creating', errorStatuses: ['error'] };
export const BACKUP_RESTORED: BackupGoal = { what: 'restore', running: 'restoring', errorStatuses: [] };
export const BACKUP_DELETED: BackupGoal = { what: 'delete', running: 'deleting', errorStatuses: ['error_deleting'] };

function sample(backup: Backup): TransferSample {
  return { doneBytes: backup.progress_bytes?.done ?? 0, totalBytes: backup.progress_bytes?.total ?? 0, atMs: Date.now() };
}

/**
 * Polls a backup while it is `goal.running`, showing a progress bar (percent, bytes, rate, ETA).
 * A backup or restore ends `available` (a failed restore too: its `fail_reason` tells); a delete
 * ends with a 404. Returns the final backup (undefined once deleted).
 */
export async function waitForBackup(api: FloeApi, id: string, goal: BackupGoal, settings: WaitSettings, progress: Progress): Promise<Backup | undefined> {
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  let first: TransferSample | undefined;
  for (;;) {
    const backup = await api.getBackupIfExists(id);
    if (backup === undefined) {
      if (goal.what !== 'delete') throw new NoMatchError('backup', id);
      progress.succeed(`backup ${id}: deleted`);
      return undefined;
    }
    if (backup.status !== goal.running) return finish(backup, goal, progress);
    if (Date.now() > deadline) throw new BackupWaitTimeoutError(id, settings.timeoutSeconds, backup.status);
    const now = sample(backup);
    if (first === undefined && now.totalBytes > 0) first = now;
    progress.update(`${goal.what} ${id}: ${formatTransfer(first ?? now, now)}`);
    await sleep(Math.min(settings.intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Polls a backup while its `verify_status` is `verifying` (Floe's os-verify). Returns the backup once
 * verified `ok`; a `failed` verify is a BackupFailedError with `verify_result`, so the exit code tells.
 */
export async function waitForVerify(api: FloeApi, id: string, settings: WaitSettings, progress: Progress): Promise<Backup> {
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  for (;;) {
    const backup = await api.getBackupIfExists(id);
    if (backup === undefined) throw new NoMatchError('backup', id);
    if (backup.verify_status !== 'verifying') return verified(backup, progress);
    if (Date.now() > deadline) throw new BackupWaitTimeoutError(id, settings.timeoutSeconds, 'verifying');
    progress.update(`verify ${id}: verifying`);
    await sleep(Math.min(settings.intervalMs, Math.max(0, deadline - Date.now())));
  }
}

function verified(backup: Backup, progress: Progress): Backup {
  if (backup.verify_status === 'ok') {
    progress.succeed(`verify ${backup.id}: ok`);
    return backup;
  }
  progress.fail(`verify ${backup.id}: ${backup.verify_status ?? 'no outcome'}`);
  throw new BackupFailedError(backup.id, 'verify', backup.verify_result ?? `verify status ${backup.verify_status ?? 'unknown'}`);
}

function finish(backup: Backup, goal: BackupGoal, progress: Progress): Backup {
  const failed = goal.errorStatuses.includes(backup.status) || (goal.what === 'restore' && backup.fail_reason);
  if (failed) {
    progress.fail(`${goal.what} ${backup.id}: ${backup.status}`);
    throw new BackupFailedError(backup.id, goal.what, backup.fail_reason ?? `status ${backup.status}`);
  }
  progress.succeed(`${goal.what} ${backup.id}: done (${backup.status})`);
  return backup;
}
