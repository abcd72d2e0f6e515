import { setTimeout as sleep } from 'node:timers/promises';
import type { BackupRow, VolumeRow } from '../../common/db/schema.js';
import { errorMessage, InvalidStateError, NotFoundError } from '../../common/errors.js';
import { failBackup } from '../../common/backup-failure.js';
import { setBackupStatus, transitionVolume } from '../../common/status.js';
import { untilDatabaseAnswers } from '../../common/db/database-wait.js';
import { claimColumns, operationFailed, readBackup, tryTransitionBackup } from '../backup-records.js';
import type { RestoreSummary } from '../engine/index.js';
import { fromAnyCopy } from '../backup-copies.js';
import { recordProgress } from '../progress-recorder.js';
import type { BackupRuntime } from '../runtime.js';
import { volumeFileOf } from '../volume-files.js';

/** How long a restore waits for its new volume to be created (scheduled and made by a volume worker). */
export const NEW_VOLUME_WAIT_MS = 10 * 60_000;
const POLL_MS = 1000;

/**
 * Restores a `restoring` backup into its target volume. An existing volume was moved to
 * `restoring-backup` by the API; a new one was created by the API in `creating` and sent through the
 * scheduler, so the restore waits until a volume worker has made it `available`, then moves it to
 * `restoring-backup` while taking the backup (one transaction). At the end the backup is `available`
 * again and the volume `available` (or `error_restoring` with the reason).
 */
export async function restoreBackup(rt: BackupRuntime, backupId: string, volumeId: string): Promise<void> {
  const backup = await readBackup(rt, backupId);
  if (!isWaitingRestore(rt, backup, volumeId)) return;
  let volume: VolumeRow | undefined;
  try {
    volume = await takeRestore(rt, backup, await waitForTarget(rt, volumeId));
  } catch (err) {
    if (rt.signal.aborted) throw err;
    await noRestoreTarget(rt, backup, errorMessage(err));
    return;
  }
  if (!volume) return;
  let summary: RestoreSummary;
  try {
    summary = await runRestore(rt, backup, volume);
  } catch (err) {
    await operationFailed(rt, backup, 'restore', errorMessage(err));
    return;
  }
  await restoreDone(rt, backup, summary);
}

function isWaitingRestore(rt: BackupRuntime, backup: BackupRow | undefined, volumeId: string): backup is BackupRow {
  if (backup?.status === 'restoring' && backup.host === null && backup.restore_volume_id === volumeId) return true;
  rt.log.info('request ignored: no restore into this volume is waiting for a worker', {
    backup_id: backup?.id, volume_id: volumeId, status: backup?.status, host: backup?.host,
  });
  return false;
}

/** The target volume once it is no longer `creating` (a new volume being made), or a timeout. */
async function waitForTarget(rt: BackupRuntime, volumeId: string): Promise<VolumeRow> {
  const deadline = Date.now() + NEW_VOLUME_WAIT_MS;
  for (;;) {
    const volume = await rt.db.selectFrom('volumes').selectAll().where('id', '=', volumeId).executeTakeFirst();
    if (!volume || volume.status === 'deleted') throw new Error(`Volume ${volumeId} no longer exists.`);
    if (volume.status !== 'creating') return volume;
    if (Date.now() > deadline) throw new Error(`Volume ${volumeId} was not created within ${NEW_VOLUME_WAIT_MS / 1000} s.`);
    await sleep(POLL_MS, undefined, { signal: rt.signal });
  }
}

/** The volume a restore was asked to write cannot take it (deleted, failed, or changed status). */
class RestoreTargetError extends Error {}

/**
 * Takes the restore (backup `host` = this worker) and, for a new volume that is now `available`,
 * moves the volume to `restoring-backup`, in one transaction. Undefined when another delivery took it.
 */
async function takeRestore(rt: BackupRuntime, backup: BackupRow, volume: VolumeRow): Promise<VolumeRow | undefined> {
  try {
    return await rt.db.transaction().execute(async (trx) => {
      await setBackupStatus(trx, backup.id, ['restoring'], 'restoring', { host: null, set: claimColumns(rt) });
      if (volume.status === 'restoring-backup') return volume;
      return transitionVolume(trx, volume.id, 'restoreBackup', { set: { previous_status: 'available' } }).catch((err: unknown) => {
        throw new RestoreTargetError(errorMessage(err));
      });
    });
  } catch (err) {
    if (!(err instanceof InvalidStateError || err instanceof NotFoundError)) throw err;
    rt.log.info('restore ignored: another delivery took it', { backup_id: backup.id, reason: err.message });
    return undefined;
  }
}

/** The new volume could not be created (or the existing one changed): the backup is free again. */
async function noRestoreTarget(rt: BackupRuntime, backup: BackupRow, reason: string): Promise<void> {
  const failed = await failBackup(rt.db, backup.id, `The restore did not start: ${reason}`);
  rt.log.warn('restore did not start', { backup_id: backup.id, reason, recorded: failed !== undefined });
}

async function runRestore(rt: BackupRuntime, backup: BackupRow, volume: VolumeRow): Promise<RestoreSummary> {
  const recorder = recordProgress(rt, backup.id);
  const target = volumeFileOf(rt.config, volume);
  // A copy that fails (unreachable, damaged) is followed by the next one, which rewrites the volume whole.
  const { result, copy } = await fromAnyCopy(rt, backup, (repository) => repository.restore(backup.id, target, { progress: recorder.progress, signal: rt.signal }));
  await recorder.settle();
  rt.log.info('restored from copy', { backup_id: backup.id, repository: copy.repository });
  return result;
}

async function restoreDone(rt: BackupRuntime, backup: BackupRow, summary: RestoreSummary): Promise<void> {
  const volumeId = backup.restore_volume_id as string;
  const progress = { progress_done_bytes: summary.sizeBytes, progress_total_bytes: summary.sizeBytes };
  const done = await untilDatabaseAnswers(rt, { backup_id: backup.id }, () => rt.db.transaction().execute(async (trx) => {
    const row = await tryTransitionBackup(trx, backup.id, 'restored', { host: rt.host, set: progress });
    if (row) await transitionVolume(trx, volumeId, 'restored', { set: { previous_status: null, status_reason: null } });
    return row;
  }));
  if (!done) {
    rt.log.warn('restore written, but the backup changed meanwhile (reset); the volume is left as it is', { backup_id: backup.id, volume_id: volumeId });
    return;
  }
  rt.log.info('backup restored', { backup_id: backup.id, volume_id: volumeId });
}
