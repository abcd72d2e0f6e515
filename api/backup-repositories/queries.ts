import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import type { BackupRepositoryRow } from '../../common/db/schema.js';

/** What a backup worker last reported about a repository, and whether that report is still current. */
export interface RepositoryReport extends Pick<BackupRepositoryRow, 'name' | 'state' | 'detail' | 'checked_at'> {
  /** Younger than the service down time (by the database clock, as service heartbeats). */
  readonly fresh: boolean;
}

/** The reports on `names`, by name; a repository no worker has reported on yet is absent. */
export async function repositoryReports(db: Db, names: readonly string[], downTimeMs: number): Promise<Map<string, RepositoryReport>> {
  if (names.length === 0) return new Map();
  const rows = await db
    .selectFrom('backup_repositories')
    .select(['name', 'state', 'detail', 'checked_at'])
    .select(sql<boolean>`checked_at > now() - make_interval(secs => ${downTimeMs / 1000})`.as('fresh'))
    .where('name', 'in', names)
    .execute();
  return new Map(rows.map((r) => [r.name, r]));
}
