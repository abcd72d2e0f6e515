import pRetry from 'p-retry';
import { isDatabaseUnavailable, type Db } from '../common/db/database.js';
import type { BackupRow } from '../common/db/schema.js';
import { errorMessage, InvalidStateError, NotFoundError } from '../common/errors.js';
import { failBackup } from '../common/backup-failure.js';
import {
  setBackupStatus, transitionBackup, type BackupStatus, type BackupTransition, type BackupTransitionOptions,
} from '../common/status.js';
import type { BackupRuntime } from './runtime.js';

export async function readBackup(rt: BackupRuntime, backupId: string): Promise<BackupRow | undefined> {
  return rt.db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirst();
}

/** What taking an operation writes: this worker as `host`, progress from zero, no old failure. */
export function claimColumns(rt: BackupRuntime) {
  return { host: rt.host, progress_done_bytes: 0, progress_total_bytes: 0, fail_reason: null };
}

/**
 * Takes a backup in `status` that no worker runs yet: `host` becomes this worker and the progress
 * starts at zero, in one guarded UPDATE. Undefined (and a log line) when another delivery or worker
 * took it, or it left that status: at-least-once delivery makes both normal.
 */
export async function claimBackup(
  rt: BackupRuntime,
  backupId: string,
  status: BackupStatus,
  set: BackupTransitionOptions['set'] = {},
): Promise<BackupRow | undefined> {
  try {
    return await setBackupStatus(rt.db, backupId, [status], status, { host: null, set: { ...set, ...claimColumns(rt) } });
  } catch (err) {
    if (!(err instanceof InvalidStateError || err instanceof NotFoundError)) throw err;
    rt.log.info('request ignored: the backup is not waiting for a worker in this status', { backup_id: backupId, expected: status, reason: err.message });
    return undefined;
  }
}

/**
 * Runs `work` again for as long as it fails because the database cannot be reached (a restart, a
 * lost connection), waiting 0.5 s, then twice as long each time up to 10 s; once the worker is
 * stopping, a try that fails is the last (the try itself still runs, so that an operation stopped
 * by the shutdown records its failure). `work` must be safe to run again: a request's whole operation (as a redelivery
 * would run it), or the write that records how one ended, in one transaction whose transitions are
 * guarded (a try that committed without its answer arriving makes the next one a no-op). A
 * finished backup is thus recorded `available` once the database is back, and a request that
 * arrives meanwhile waits, holding its message: redelivered instead, it would be dead-lettered
 * within seconds, and the dead letter could not mark the backup failed either.
 */
export function untilDatabaseAnswers<T>(rt: BackupRuntime, backupId: string, work: () => Promise<T>): Promise<T> {
  return pRetry(work, {
    retries: Infinity,
    minTimeout: 500,
    maxTimeout: 10_000,
    factor: 2,
    shouldRetry: ({ error }) => isDatabaseUnavailable(error) && !rt.signal.aborted,
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (isDatabaseUnavailable(error) && !rt.signal.aborted) {
        rt.log.warn('the database cannot be reached; waiting for it', { backup_id: backupId, attempt: attemptNumber, error: errorMessage(error) });
      }
    },
  });
}

/** Records the failure of the operation this worker runs on the backup (see failBackup) and logs it. */
export async function operationFailed(rt: BackupRuntime, backup: BackupRow, action: string, reason: string): Promise<void> {
  const failed = await untilDatabaseAnswers(rt, backup.id, () => failBackup(rt.db, backup.id, reason, { host: rt.host }));
  if (!failed) {
    rt.log.info('failure not recorded: the backup changed meanwhile', { backup_id: backup.id, action });
    return;
  }
  rt.log.warn(`${action} failed`, { backup_id: backup.id, volume_id: backup.volume_id, reason });
}

/** A transition that an admin or another delivery may have pre-empted: undefined instead of InvalidStateError. */
export async function tryTransitionBackup(
  db: Db,
  backupId: string,
  transition: BackupTransition,
  options: BackupTransitionOptions,
): Promise<BackupRow | undefined> {
  try {
    return await transitionBackup(db, backupId, transition, options);
  } catch (err) {
    if (err instanceof InvalidStateError || err instanceof NotFoundError) return undefined;
    throw err;
  }
}
