import type { BackupRow } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import { failBackup } from '../../common/backup-failure.js';
import type { BackupRuntime } from '../runtime.js';
import { deleteBackup, removeFromRepositories } from './delete-backup.js';

export const INTERRUPTED_BACKUP_REASON = 'The backup worker stopped while the backup was running (crash or kill); the backup is incomplete.';
export const INTERRUPTED_RESTORE_REASON = 'The backup worker stopped while the restore was running (crash or kill); the volume holds a partial restore.';

/**
 * Cinder's init_host clean-up for backups, before the worker consumes requests:
 * - a backup this worker was `creating` goes to `error` with a reason and its volume back to its
 *   previous status; a manifest written just before the crash is removed, so the failed backup does
 *   not exist in the repository (its packs are garbage for prune);
 * - a restore this worker was running leaves the backup `available` and the volume `error_restoring`;
 * - a `deleting` backup (whichever worker had it: delete is idempotent) is deleted.
 * Work not yet taken by any worker (host unset) is left to its message, which the broker redelivers.
 */
export async function resolveInterrupted(rt: BackupRuntime): Promise<void> {
  const backups = await rt.db
    .selectFrom('backups')
    .selectAll()
    .where((eb) => eb.or([
      eb.and([eb('host', '=', rt.host), eb('status', 'in', ['creating', 'restoring'])]),
      eb('status', '=', 'deleting'),
    ]))
    .execute();
  for (const backup of backups) {
    rt.log.info('resolving a backup left in a transitional status', { backup_id: backup.id, status: backup.status });
    try {
      await resolveOne(rt, backup);
    } catch (err) {
      rt.log.error('could not resolve backup; will retry at the next start', { backup_id: backup.id, error: errorMessage(err) });
    }
  }
}

async function resolveOne(rt: BackupRuntime, backup: BackupRow): Promise<void> {
  if (backup.status === 'deleting') return deleteBackup(rt, backup.id);
  if (backup.status === 'creating') {
    await removeFromRepositories(rt, backup).catch((err: unknown) => {
      // The manifest, if one was written, stays in a repository that cannot be reached now; the
      // database still says error, and `floe-agent delete` removes it.
      rt.log.warn('could not remove an interrupted backup from its repositories', { backup_id: backup.id, error: errorMessage(err) });
    });
  }
  const reason = backup.status === 'creating' ? INTERRUPTED_BACKUP_REASON : INTERRUPTED_RESTORE_REASON;
  await failBackup(rt.db, backup.id, reason, { host: rt.host });
}
