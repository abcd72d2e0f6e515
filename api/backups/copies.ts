import type { Db } from '../../common/db/database.js';
import { orderedCopies, type BackupCopy } from '../../common/backup-copies.js';
import { InvalidInputError } from '../../common/errors.js';

/** A page's copies by backup id, each backup's own repository (`container`) first, then by name. */
export type CopiesByBackup = ReadonlyMap<string, readonly BackupCopy[]>;

/** The copies of every backup in `backupIds`, in one query. */
export async function copiesOf(db: Db, backupIds: readonly string[]): Promise<CopiesByBackup> {
  const byBackup = new Map<string, BackupCopy[]>(backupIds.map((id) => [id, []]));
  for (const copy of await orderedCopies(db, backupIds)) byBackup.get(copy.backup_id)?.push(copy);
  return byBackup;
}

/** Restores and verifications read a complete (`available`) copy; without one they are refused. */
export async function requireCompleteCopy(db: Db, backupId: string): Promise<void> {
  const copy = await db
    .selectFrom('backup_copies')
    .select('repository')
    .where('backup_id', '=', backupId)
    .where('status', '=', 'available')
    .limit(1)
    .executeTakeFirst();
  if (!copy) throw new InvalidInputError(`backup ${backupId} has no complete copy`);
}
