import { errorMessage } from '../../common/errors.js';
import { failBackup } from '../../common/backup-failure.js';
import { BackupNotFoundError } from '../engine/index.js';
import type { BackupRow } from '../../common/db/schema.js';
import { copiesOf } from '../backup-copies.js';
import { readBackup, tryTransitionBackup } from '../backup-records.js';
import type { BackupRuntime } from '../runtime.js';

/**
 * Removes a `deleting` backup's manifest from each copy's repository (a backup already gone counts as
 * removed), then marks it `deleted`; `error_deleting` with the reason on failure. Every backup
 * restores from its own manifest, so deleting one never breaks another; the chunks only it used are
 * reclaimed by the next prune. Safe to run again whole: its handler does so while the database
 * cannot be reached (manager.ts).
 */
export async function deleteBackup(rt: BackupRuntime, backupId: string): Promise<void> {
  const backup = await readBackup(rt, backupId);
  if (backup?.status !== 'deleting') {
    rt.log.info('request ignored: the backup is not deleting', { backup_id: backupId, status: backup?.status });
    return;
  }
  try {
    await removeFromRepositories(rt, backup);
  } catch (err) {
    const reason = errorMessage(err);
    await failBackup(rt.db, backupId, reason);
    rt.log.warn('delete backup failed', { backup_id: backupId, reason });
    return;
  }
  if (await tryTransitionBackup(rt.db, backupId, 'deleted', { set: { deleted_at: new Date() } })) {
    rt.log.info('backup deleted', { backup_id: backupId });
  }
}

/** Removes the manifest from every copy's repository (one already gone counts as removed). */
export async function removeFromRepositories(rt: BackupRuntime, backup: BackupRow): Promise<void> {
  for (const copy of await copiesOf(rt.db, backup, ['creating', 'available', 'error', 'deleting'])) {
    const repository = await rt.repositories.get(copy.repository);
    try {
      await repository.deleteBackup(backup.id);
    } catch (err) {
      if (!(err instanceof BackupNotFoundError)) throw err;
    }
  }
}
