import type { Db } from '../common/db/database.js';
import { orderedCopies, type BackupCopy } from '../common/backup-copies.js';
import type { BackupCopyStatus, BackupRow } from '../common/db/schema.js';
import { errorMessage } from '../common/errors.js';
import type { BackupRepository } from './engine/index.js';
import type { BackupRuntime } from './runtime.js';

/** The copies of a backup in `statuses`, in the order restores and verifies try them (orderedCopies). */
export function copiesOf(db: Db, backup: BackupRow, statuses: readonly BackupCopyStatus[]): Promise<BackupCopy[]> {
  return orderedCopies(db, [backup.id], statuses);
}

export async function setCopy(
  db: Db,
  backupId: string,
  repository: string,
  set: { status: BackupCopyStatus; fail_reason?: string | null; object_count?: number; stored_bytes?: number },
): Promise<void> {
  await db.updateTable('backup_copies').set({ ...set, updated_at: new Date() }).where('backup_id', '=', backupId).where('repository', '=', repository).execute();
}

/** Every copy failed; the message names each repository and why. */
export class NoCopyError extends Error {}

/**
 * Runs `action` on the first copy it succeeds on, in `copiesOf` order, and says which copy served.
 * A failure moves on to the next copy when `fallBack(error)` (default: always); when none is left,
 * NoCopyError lists every copy's failure. Aborts are not fallen back from.
 */
export async function fromAnyCopy<T>(
  rt: BackupRuntime,
  backup: BackupRow,
  action: (repository: BackupRepository, copy: BackupCopy) => Promise<T>,
  fallBack: (error: unknown) => boolean = () => true,
): Promise<{ result: T; copy: BackupCopy }> {
  const copies = await copiesOf(rt.db, backup, ['available']);
  if (copies.length === 0) throw new NoCopyError(`Backup ${backup.id} has no complete copy.`);
  const failures: string[] = [];
  for (const copy of copies) {
    try {
      return { result: await action(await rt.repositories.get(copy.repository), copy), copy };
    } catch (err) {
      if (rt.signal.aborted || !fallBack(err)) throw err;
      failures.push(`${copy.repository}: ${errorMessage(err)}`);
      rt.log.warn('copy failed; trying the next one', { backup_id: backup.id, repository: copy.repository, error: errorMessage(err) });
    }
  }
  throw new NoCopyError(`No copy of backup ${backup.id} could be used: ${failures.join('; ')}`);
}
