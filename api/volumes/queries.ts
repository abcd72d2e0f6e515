import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import type { VolumeRow } from '../../common/db/schema.js';
import { NotFoundError } from '../../common/errors.js';
import { isUuid } from '../../common/ids.js';
import { isVolumeStatus } from '../../common/status.js';
import { afterMarkerRow, sortExpression, type SortKey } from '../http/pagination.js';
import type { VolumeFilters, VolumeListQuery } from './schema.js';

/** A volume row with the name of its type, which every view shows. */
export type VolumeWithType = VolumeRow & { readonly volume_type_name: string };

export interface VolumeScope {
  readonly projectId: string;
  /** Admins reading another project's volumes by id, or listing with all_tenants. */
  readonly allProjects: boolean;
}

/** Volumes the scope may see: never deleted ones, and only its own project's unless allProjects. */
function visibleVolumes(db: Db, scope: VolumeScope) {
  const query = db
    .selectFrom('volumes')
    .innerJoin('volume_types', 'volume_types.id', 'volumes.volume_type_id')
    .selectAll('volumes')
    .select('volume_types.name as volume_type_name')
    .where('volumes.status', '!=', 'deleted');
  return scope.allProjects ? query : query.where('volumes.project_id', '=', scope.projectId);
}

type VolumeQuery = ReturnType<typeof visibleVolumes>;

/** A volume by id, or NotFoundError (also for ids that are not UUIDs and for other projects). */
export async function getVolume(db: Db, scope: VolumeScope, id: string): Promise<VolumeWithType> {
  const row = isUuid(id) ? await visibleVolumes(db, scope).where('volumes.id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('Volume', id);
  return row;
}

function filtered(query: VolumeQuery, filters: VolumeFilters): VolumeQuery {
  let q = query;
  if (filters.name !== undefined) q = q.where('volumes.name', '=', filters.name);
  if (filters.status !== undefined) {
    // An unknown status matches nothing (as in Cinder) rather than being an error.
    q = isVolumeStatus(filters.status) ? q.where('volumes.status', '=', filters.status) : q.where(sql<boolean>`false`);
  }
  return q;
}



function ordered(query: VolumeQuery, sort: readonly SortKey[]): VolumeQuery {
  return sort.reduce((q, k) => q.orderBy(sortExpression('volumes', k.key), k.dir), query);
}

async function checkMarker(db: Db, scope: VolumeScope, marker: string): Promise<void> {
  try {
    await getVolume(db, scope, marker);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('Marker', marker);
    throw err;
  }
}

/** One page of volumes in the requested order, after the marker when one is given. */
export async function listVolumes(db: Db, scope: VolumeScope, params: VolumeListQuery): Promise<VolumeWithType[]> {
  let query = ordered(filtered(visibleVolumes(db, scope), params.filters), params.sort).limit(params.limit);
  if (params.marker !== undefined) {
    const marker = params.marker;
    await checkMarker(db, scope, marker);
    query = query.where(afterMarkerRow('volumes', marker, params.sort));
  }
  return query.execute();
}

/** How many volumes match the filters, whatever the page (`with_count=True`). */
export async function countVolumes(db: Db, scope: VolumeScope, filters: VolumeFilters): Promise<number> {
  const row = await filtered(visibleVolumes(db, scope), filters)
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
