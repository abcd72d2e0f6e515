import { insertCopies, type BackupCopy } from '../../common/backup-copies.js';
import type { BackupRow } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import { releaseBackedUpVolume } from '../../common/backup-failure.js';
import { BackupRepository, openBlockFile, type BackupSummary } from '../engine/index.js';
import { copiesOf, setCopy } from '../backup-copies.js';
import { untilDatabaseAnswers } from '../../common/db/database-wait.js';
import { claimBackup, operationFailed, tryTransitionBackup } from '../backup-records.js';
import { recordProgress } from '../progress-recorder.js';
import type { BackupRuntime } from '../runtime.js';
import { volumeFileOf } from '../volume-files.js';

/**
 * Backs up a `creating` backup's volume (`backing-up`) into each of its copies' repositories under
 * the backup's id (one read of the volume), with its progress on the row; then the backup is
 * `available` (size, object count, data timestamp) and the volume back in its previous status, in
 * one transaction. When every copy fails the backup goes to `error` with the reasons and the volume
 * back likewise. A redelivery finds the backup taken.
 */
export async function createBackup(rt: BackupRuntime, backupId: string): Promise<void> {
  const backup = await claimBackup(rt, backupId, 'creating', { data_timestamp: new Date() });
  if (!backup) return;
  let outcomes: CopyOutcome[];
  try {
    outcomes = await runBackup(rt, backup);
  } catch (err) {
    await operationFailed(rt, backup, 'backup', errorMessage(err));
    return;
  }
  await backupDone(rt, backup, outcomes);
}

/** How one copy of the backup ended. */
interface CopyOutcome {
  readonly repository: string;
  readonly summary?: BackupSummary;
  readonly error?: unknown;
}

/** Reads the volume once into every copy's repository; a copy whose repository cannot be opened fails alone. */
async function runBackup(rt: BackupRuntime, backup: BackupRow): Promise<CopyOutcome[]> {
  const copies = await copiesOf(rt.db, backup, ['creating']).then((found) => (found.length > 0 ? found : plannedCopies(rt, backup)));
  const opened = await Promise.all(
    copies.map((c) => rt.repositories.get(c.repository).then((repository) => ({ name: c.repository, repository }), (error: unknown) => ({ name: c.repository, error }))),
  );
  const ready = opened.flatMap((o) => ('repository' in o ? [o] : []));
  const outcomes = new Map<string, CopyOutcome>(opened.flatMap((o) => ('error' in o ? [[o.name, { repository: o.name, error: o.error }]] : [])));
  if (ready.length > 0) {
    const volume = await rt.db.selectFrom('volumes').select(['id', 'host', 'status']).where('id', '=', backup.volume_id).executeTakeFirstOrThrow();
    const source = await openBlockFile(volumeFileOf(rt.config, volume));
    const recorder = recordProgress(rt, backup.id);
    try {
      const meta = { volume_id: backup.volume_id, project_id: backup.project_id };
      const options = { backupId: backup.id, progress: recorder.progress, signal: rt.signal, meta };
      const results = await BackupRepository.backupToAll(ready.map((r) => r.repository), source, options);
      results.forEach((r, i) => outcomes.set(ready[i].name, { repository: ready[i].name, ...(r.ok ? { summary: r.summary } : { error: r.error }) }));
      await recorder.settle();
    } finally {
      await source.close();
    }
  }
  return copies.map((c) => outcomes.get(c.repository)!);
}

/**
 * The copies of a backup whose request came without them (an API of an earlier release): its
 * container and the repositories that one replicates to, as this worker's configuration says.
 */
function plannedCopies(rt: BackupRuntime, backup: BackupRow): Promise<BackupCopy[]> {
  return insertCopies(rt.db, backup.id, rt.repositories.definition(backup.container) ?? { name: backup.container, replicateTo: [] });
}

/**
 * Records each copy; the backup is `available` when at least one copy is complete (the failed
 * ones keep their reason), `error` naming every repository when none is.
 */
async function backupDone(rt: BackupRuntime, backup: BackupRow, outcomes: readonly CopyOutcome[]): Promise<void> {
  for (const o of outcomes) {
    if (o.error !== undefined) rt.log.warn('backup copy failed', { backup_id: backup.id, repository: o.repository, reason: errorMessage(o.error) });
  }
  const complete = outcomes.filter((o) => o.summary);
  if (complete.length === 0) {
    await operationFailed(rt, backup, 'backup', outcomes.map((o) => errorMessage(o.error)).join('; '));
    return;
  }
  const primary = complete[0].summary!;
  const done = await untilDatabaseAnswers(rt, { backup_id: backup.id }, () => rt.db.transaction().execute(async (trx) => {
    const row = await tryTransitionBackup(trx, backup.id, 'created', {
      host: rt.host,
      set: { object_count: primary.objectCount, progress_done_bytes: primary.sizeBytes, progress_total_bytes: primary.sizeBytes },
    });
    if (!row) return undefined;
    for (const o of outcomes) {
      await setCopy(trx, backup.id, o.repository, o.summary
        ? { status: 'available', fail_reason: null, object_count: o.summary.objectCount, stored_bytes: o.summary.bytesStoredNew }
        : { status: 'error', fail_reason: errorMessage(o.error) });
    }
    await releaseBackedUpVolume(trx, backup.volume_id);
    return row;
  }));
  if (!done) {
    rt.log.warn('backup written, but its row changed meanwhile (reset or deleted); left as it is', { backup_id: backup.id });
    return;
  }
  rt.log.info('backup created', {
    backup_id: backup.id, volume_id: backup.volume_id, size_bytes: primary.sizeBytes,
    copies: outcomes.map((o) => `${o.repository}:${o.summary ? 'available' : 'error'}`).join(','),
    new_bytes_stored: primary.bytesStoredNew,
  });
}
