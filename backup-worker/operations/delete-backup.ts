import { errorMessage } from '../../common/errors.js';
import { failBackup } from '../../common/backup-failure.js';
import { BackupNotFoundError } from '../engine/index.js';
import { readBackup, tryTransitionBackup } from '../backup-records.js';
import type { BackupRuntime } from '../runtime.js';

/**
 * Removes a `deleting` backup's manifest from the repository (a backup already gone counts as
 * removed), then marks it `deleted`; `error_deleting` with the reason on failure. Every backup
 * restores from its own manifest, so deleting one never breaks another; the chunks only it used are
 * reclaimed by the next prune.
 */
export async function deleteBackup(rt: BackupRuntime, backupId: string): Promise<void> {
  const backup = await readBackup(rt, backupId);
  if (backup?.status !== 'deleting') {
    rt.log.info('request ignored: the backup is not deleting', { backup_id: backupId, status: backup?.status });
    return;
  }
  try {
    await removeFromRepository(rt, backupId);
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

export async function removeFromRepository(rt: BackupRuntime, backupId: string): Promise<void> {
  try {
    await rt.repository.deleteBackup(backupId);
  } catch (err) {
    if (!(err instanceof BackupNotFoundError)) throw err;
  }
}
