import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import type { BackupCopyRow } from '../../common/db/schema.js';
import { InvalidInputError } from '../../common/errors.js';
import type { RepositoryDefinition } from '../../common/repository-config.js';

/** What the API shows of a copy. */
export type BackupCopy = Pick<BackupCopyRow, 'repository' | 'status' | 'fail_reason'>;

/** A page's copies by backup id, each backup's own repository (`container`) first, then by name. */
export type CopiesByBackup = ReadonlyMap<string, readonly BackupCopy[]>;

/** A new backup's copies, all `creating`: one in its repository, one in each it replicates to. */
export async function insertCopies(trx: Db, backupId: string, repository: RepositoryDefinition): Promise<void> {
  const names = [repository.name, ...repository.replicateTo];
  await trx
    .insertInto('backup_copies')
    .values(names.map((name) => ({ backup_id: backupId, repository: name, status: 'creating' as const, fail_reason: null })))
    .execute();
}

/** The copies of every backup in `backupIds`, in one query. */
export async function copiesOf(db: Db, backupIds: readonly string[]): Promise<CopiesByBackup> {
  const byBackup = new Map<string, BackupCopy[]>(backupIds.map((id) => [id, []]));
  if (backupIds.length === 0) return byBackup;
  const rows = await db
    .selectFrom('backup_copies as c')
    .innerJoin('backups as b', 'b.id', 'c.backup_id')
    .select(['c.backup_id', 'c.repository', 'c.status', 'c.fail_reason'])
    .where('c.backup_id', 'in', backupIds)
    .orderBy(sql`c.repository <> b.container`)
    .orderBy('c.repository')
    .execute();
  for (const { backup_id, ...copy } of rows) byBackup.get(backup_id)?.push(copy);
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
