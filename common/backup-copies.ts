import { sql } from 'kysely';
import type { Db } from './db/database.js';
import type { BackupCopyRow, BackupCopyStatus } from './db/schema.js';

/** A backup's copy as the API shows it and the backup worker works through it. */
export type BackupCopy = Pick<BackupCopyRow, 'backup_id' | 'repository' | 'status' | 'fail_reason'>;

/**
 * A new backup's copies, all `creating`: one in its repository, one in each it replicates to.
 * Copies that exist already are kept (a redelivered request).
 */
export async function insertCopies(db: Db, backupId: string, repository: { name: string; replicateTo: readonly string[] }): Promise<BackupCopy[]> {
  const names = [repository.name, ...repository.replicateTo];
  return db
    .insertInto('backup_copies')
    .values(names.map((name) => ({ backup_id: backupId, repository: name, status: 'creating' as const, fail_reason: null })))
    .onConflict((oc) => oc.doNothing())
    .returning(['backup_id', 'repository', 'status', 'fail_reason'])
    .execute();
}

/**
 * The copies of the backups `backupIds` (in `statuses`, when given), each backup's own repository
 * (`container`) first, then by name: the order in which they are shown, restored from and verified.
 */
export async function orderedCopies(db: Db, backupIds: readonly string[], statuses?: readonly BackupCopyStatus[]): Promise<BackupCopy[]> {
  if (backupIds.length === 0) return [];
  let query = db
    .selectFrom('backup_copies as c')
    .innerJoin('backups as b', 'b.id', 'c.backup_id')
    .select(['c.backup_id', 'c.repository', 'c.status', 'c.fail_reason'])
    .where('c.backup_id', 'in', backupIds);
  if (statuses) query = query.where('c.status', 'in', statuses);
  return query.orderBy(sql`c.repository <> b.container`).orderBy('c.repository').execute();
}
