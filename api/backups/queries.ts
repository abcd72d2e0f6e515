import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import type { BackupRow } from '../../common/db/schema.js';
import { NotFoundError } from '../../common/errors.js';
import { isUuid } from '../../common/ids.js';
import { isBackupStatus } from '../../common/status.js';
import { afterMarkerRow, sortExpression } from '../http/pagination.js';
import type { BackupFilters, BackupListQuery } from './schema.js';

export interface BackupScope {
  readonly projectId: string;
  /** Admins reading another project's backups by id, or listing with all_tenants. */
  readonly allProjects: boolean;
}

/** Backups the scope may see: never deleted ones, and only its own project's unless allProjects. */
function visibleBackups(db: Db, scope: BackupScope) {
  const query = db.selectFrom('backups').selectAll().where('status', '!=', 'deleted');
  return scope.allProjects ? query : query.where('project_id', '=', scope.projectId);
}

type BackupQuery = ReturnType<typeof visibleBackups>;

/** A backup by id, or NotFoundError (also for ids that are not UUIDs and for other projects). */
export async function getBackup(db: Db, scope: BackupScope, id: string): Promise<BackupRow> {
  const row = isUuid(id) ? await visibleBackups(db, scope).where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('Backup', id);
  return row;
}

/** The newest `available` backup of a volume: what an incremental backup follows. */
export async function latestAvailableBackup(db: Db, volumeId: string): Promise<BackupRow | undefined> {
  return db
    .selectFrom('backups')
    .selectAll()
    .where('volume_id', '=', volumeId)
    .where('status', '=', 'available')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

function filtered(query: BackupQuery, filters: BackupFilters): BackupQuery {
  let q = query;
  if (filters.name !== undefined) q = q.where('name', '=', filters.name);
  if (filters.volumeId !== undefined) q = isUuid(filters.volumeId) ? q.where('volume_id', '=', filters.volumeId) : q.where(sql<boolean>`false`);
  if (filters.status !== undefined) {
    q = isBackupStatus(filters.status) ? q.where('status', '=', filters.status) : q.where(sql<boolean>`false`);
  }
  return q;
}



async function checkMarker(db: Db, scope: BackupScope, marker: string): Promise<void> {
  try {
    await getBackup(db, scope, marker);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('Marker', marker);
    throw err;
  }
}

/** One page of backups in the requested order, after the marker when one is given. */
export async function listBackups(db: Db, scope: BackupScope, params: BackupListQuery): Promise<BackupRow[]> {
  let query = filtered(visibleBackups(db, scope), params.filters);
  query = params.sort.reduce((q, k) => q.orderBy(sortExpression('backups', k.key), k.dir), query).limit(params.limit);
  if (params.marker !== undefined) {
    const marker = params.marker;
    await checkMarker(db, scope, marker);
    query = query.where(afterMarkerRow('backups', marker, params.sort));
  }
  return query.execute();
}

export async function countBackups(db: Db, scope: BackupScope, filters: BackupFilters): Promise<number> {
  const row = await filtered(visibleBackups(db, scope), filters)
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
