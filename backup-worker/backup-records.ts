import type { Db } from '../common/db/database.js';
import { untilDatabaseAnswers } from '../common/db/database-wait.js';
import type { BackupRow } from '../common/db/schema.js';
import { InvalidStateError, NotFoundError } from '../common/errors.js';
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

/** Records the failure of the operation this worker runs on the backup (see failBackup) and logs it. */
export async function operationFailed(rt: BackupRuntime, backup: BackupRow, action: string, reason: string): Promise<void> {
  const failed = await untilDatabaseAnswers(rt, { backup_id: backup.id }, () => failBackup(rt.db, backup.id, reason, { host: rt.host }));
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
