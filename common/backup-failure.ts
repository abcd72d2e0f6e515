import type { Db } from './db/database.js';
import type { BackupRow } from './db/schema.js';
import { InvalidStateError, NotFoundError } from './errors.js';
import { setBackupStatus, setVolumeStatus, type BackupStatus } from './status.js';

/**
 * A backup ended (or failed) and its volume leaves `backing-up` for the status it had before
 * (`previous_status`, cleared); nothing happens when the volume is no longer `backing-up`.
 */
export async function releaseBackedUpVolume(db: Db, volumeId: string): Promise<void> {
  const volume = await db.selectFrom('volumes').select('previous_status').where('id', '=', volumeId).executeTakeFirst();
  await ignoreStale(() =>
    setVolumeStatus(db, volumeId, ['backing-up'], volume?.previous_status ?? 'available', { set: { previous_status: null } }),
  );
}

/** A restore failed: its volume, when being written, goes to `error_restoring` with the reason. */
async function failRestoredVolume(db: Db, volumeId: string, reason: string): Promise<void> {
  await ignoreStale(() =>
    setVolumeStatus(db, volumeId, ['restoring-backup'], 'error_restoring', { set: { previous_status: null, status_reason: reason } }),
  );
}

/** What a failure in each transitional backup status leads to. */
const FAILED_BACKUP_STATUS: Readonly<Partial<Record<BackupStatus, BackupStatus>>> = {
  creating: 'error',
  // The backup itself is intact: a failed restore leaves it available, with the reason shown.
  restoring: 'available',
  deleting: 'error_deleting',
};

export interface BackupFailureOptions {
  /** Only when the backup is run by this backup worker. */
  readonly host?: string;
}

/**
 * Ends a backup's running operation as failed, in one transaction with its volume: a failed backup
 * goes to `error` (with its unfinished copies) and its volume back to its previous status; a failed restore leaves the backup
 * `available` and its target volume `error_restoring`; a failed delete goes to `error_deleting`.
 * The reason is kept in `fail_reason`. Undefined when the backup is in no transitional status (or
 * not this worker's): another delivery or an admin resolved it.
 */
export async function failBackup(db: Db, backupId: string, reason: string, options: BackupFailureOptions = {}): Promise<BackupRow | undefined> {
  const row = await db.selectFrom('backups').select('status').where('id', '=', backupId).executeTakeFirst();
  const target = row && FAILED_BACKUP_STATUS[row.status];
  if (!row || !target) return undefined;
  return ignoreStale(() =>
    db.transaction().execute(async (trx) => {
      const failed = await setBackupStatus(trx, backupId, [row.status], target, { host: options.host, set: { fail_reason: reason } });
      if (row.status === 'creating') {
        await releaseBackedUpVolume(trx, failed.volume_id);
        await trx.updateTable('backup_copies').set({ status: 'error', fail_reason: reason, updated_at: new Date() })
          .where('backup_id', '=', backupId).where('status', '=', 'creating').execute();
      }
      if (row.status === 'restoring' && failed.restore_volume_id) await failRestoredVolume(trx, failed.restore_volume_id, reason);
      return failed;
    }),
  );
}

/** A guarded update that lost a race (status changed, row gone) is not an error here. */
async function ignoreStale<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidStateError || err instanceof NotFoundError) return undefined;
    throw err;
  }
}
