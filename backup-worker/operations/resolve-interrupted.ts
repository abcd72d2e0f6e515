import type { BackupRow } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import { failBackup } from '../../common/backup-failure.js';
import type { BackupRuntime } from '../runtime.js';
import { deleteBackup, removeFromRepositories } from './delete-backup.js';

export const INTERRUPTED_BACKUP_REASON = 'The backup worker stopped while the backup was running (crash or kill); the backup is incomplete.';
export const INTERRUPTED_RESTORE_REASON = 'The backup worker stopped while the restore was running (crash or kill); the volume holds a partial restore.';
export const UNRECORDED_BACKUP_REASON = 'The backup worker could not record the end of the backup; the backup is incomplete.';
export const UNRECORDED_RESTORE_REASON = 'The backup worker could not record the end of the restore; the volume may hold a partial restore.';

type LeftStatus = 'creating' | 'restoring';
const LEFT_STATUSES: readonly LeftStatus[] = ['creating', 'restoring'];
const CRASHED: Record<LeftStatus, string> = { creating: INTERRUPTED_BACKUP_REASON, restoring: INTERRUPTED_RESTORE_REASON };
const UNRECORDED: Record<LeftStatus, string> = { creating: UNRECORDED_BACKUP_REASON, restoring: UNRECORDED_RESTORE_REASON };

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
      eb.and([eb('host', '=', rt.host), eb('status', 'in', LEFT_STATUSES)]),
      eb('status', '=', 'deleting'),
    ]))
    .execute();
  for (const backup of backups) {
    rt.log.info('resolving a backup left in a transitional status', { backup_id: backup.id, status: backup.status });
    try {
      if (backup.status === 'deleting') await deleteBackup(rt, backup.id);
      else await endLeftOperation(rt, backup, CRASHED);
    } catch (err) {
      rt.log.error('could not resolve backup; will retry at the next start', { backup_id: backup.id, error: errorMessage(err) });
    }
  }
}

/**
 * While the worker runs (with its heartbeat): ends what an operation of this worker left in
 * `creating` or `restoring` when the write of its end failed otherwise than by an unreachable
 * database (which it waits for: common/db/database-wait.ts), since a redelivery of its
 * request finds the row taken and does nothing. A row is left behind when no operation of this
 * process runs on it; RunningOperations.ifIdle holds back one that would start meanwhile.
 */
export async function resolveOrphaned(rt: BackupRuntime): Promise<void> {
  const backups = await rt.db.selectFrom('backups').selectAll().where('host', '=', rt.host).where('status', 'in', LEFT_STATUSES).execute();
  for (const backup of backups) {
    try {
      const ended = await rt.running.ifIdle(backup.id, () => endLeftOperation(rt, backup, UNRECORDED));
      if (ended) rt.log.warn('ended an operation that could not record its end', { backup_id: backup.id, status: backup.status });
    } catch (err) {
      rt.log.error('could not end an operation left without its end; will try again', { backup_id: backup.id, error: errorMessage(err) });
    }
  }
}

/**
 * Fails the operation (only while the row is still this worker's in a transitional status: see
 * failBackup); for a backup, then removes a manifest it may have written.
 */
async function endLeftOperation(rt: BackupRuntime, backup: BackupRow, reasons: Record<LeftStatus, string>): Promise<void> {
  const status = backup.status as LeftStatus;
  const failed = await failBackup(rt.db, backup.id, reasons[status], { host: rt.host });
  if (!failed || status !== 'creating') return;
  await removeFromRepositories(rt, failed).catch((err: unknown) => {
    // The manifest, if one was written, stays in a repository that cannot be reached now; the
    // database says error, and `floe-agent delete` removes it.
    rt.log.warn('could not remove an interrupted backup from its repositories', { backup_id: backup.id, error: errorMessage(err) });
  });
}
