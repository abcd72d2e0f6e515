import type { BackupRow } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import { releaseBackedUpVolume } from '../../common/backup-failure.js';
import type { BackupSummary } from '../engine/index.js';
import { openBlockFile } from '../engine/index.js';
import { claimBackup, operationFailed, tryTransitionBackup } from '../backup-records.js';
import { recordProgress } from '../progress-recorder.js';
import type { BackupRuntime } from '../runtime.js';
import { volumeFileOf } from '../volume-files.js';

/**
 * Backs up a `creating` backup's volume (`backing-up`) into the repository under the backup's id,
 * with its progress on the row; then the backup is `available` (size, object count, data timestamp)
 * and the volume back in its previous status, in one transaction. On failure the backup goes to
 * `error` with the reason and the volume back likewise. A redelivery finds the backup taken.
 */
export async function createBackup(rt: BackupRuntime, backupId: string): Promise<void> {
  const backup = await claimBackup(rt, backupId, 'creating', { data_timestamp: new Date() });
  if (!backup) return;
  let summary: BackupSummary;
  try {
    summary = await runBackup(rt, backup);
  } catch (err) {
    await operationFailed(rt, backup, 'backup', errorMessage(err));
    return;
  }
  await backupDone(rt, backup, summary);
}

async function runBackup(rt: BackupRuntime, backup: BackupRow): Promise<BackupSummary> {
  const volume = await rt.db.selectFrom('volumes').select(['id', 'host', 'status']).where('id', '=', backup.volume_id).executeTakeFirstOrThrow();
  const source = await openBlockFile(volumeFileOf(rt.config, volume));
  const recorder = recordProgress(rt, backup.id);
  try {
    const meta = { volume_id: backup.volume_id, project_id: backup.project_id };
    const summary = await rt.repository.backup(source, { backupId: backup.id, progress: recorder.progress, signal: rt.signal, meta });
    await recorder.settle();
    return summary;
  } finally {
    await source.close();
  }
}

async function backupDone(rt: BackupRuntime, backup: BackupRow, summary: BackupSummary): Promise<void> {
  const done = await rt.db.transaction().execute(async (trx) => {
    const row = await tryTransitionBackup(trx, backup.id, 'created', {
      host: rt.host,
      set: { object_count: summary.objectCount, progress_done_bytes: summary.sizeBytes, progress_total_bytes: summary.sizeBytes },
    });
    if (row) await releaseBackedUpVolume(trx, backup.volume_id);
    return row;
  });
  if (!done) {
    rt.log.warn('backup written, but its row changed meanwhile (reset or deleted); left as it is', { backup_id: backup.id });
    return;
  }
  rt.log.info('backup created', {
    backup_id: backup.id, volume_id: backup.volume_id, size_bytes: summary.sizeBytes, new_bytes_stored: summary.bytesStoredNew,
  });
}
