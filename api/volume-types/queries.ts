import type { Db } from '../../common/db/database.js';
import type { VolumeTypeRow } from '../../common/db/schema.js';
import { NotFoundError } from '../../common/errors.js';
import { isUuid } from '../../common/ids.js';

/** The type every deployment has (created by the first migration), used when none is asked for. */
export const DEFAULT_VOLUME_TYPE_NAME = '__DEFAULT__';

export interface TypeScope {
  /** Admins see private types too. */
  readonly admin: boolean;
}

function visibleTypes(db: Db, scope: TypeScope) {
  const query = db.selectFrom('volume_types').selectAll();
  return scope.admin ? query : query.where('is_public', '=', true);
}

export interface TypeFilters {
  /** undefined: public and private alike. */
  readonly isPublic?: boolean;
  readonly name?: string;
}

export async function listVolumeTypes(db: Db, scope: TypeScope, filters: TypeFilters): Promise<VolumeTypeRow[]> {
  let query = visibleTypes(db, scope).orderBy('name');
  if (filters.isPublic !== undefined) query = query.where('is_public', '=', filters.isPublic);
  if (filters.name !== undefined) query = query.where('name', '=', filters.name);
  return query.execute();
}

export async function getVolumeType(db: Db, scope: TypeScope, id: string): Promise<VolumeTypeRow> {
  const row = isUuid(id) ? await visibleTypes(db, scope).where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('Volume type', id);
  return row;
}

/** A type named by its name or its id (Cinder's get_by_name_or_id); null means the default type. */
export async function findVolumeTypeByNameOrId(db: Db, scope: TypeScope, ref: string | null): Promise<VolumeTypeRow | undefined> {
  const name = ref ?? DEFAULT_VOLUME_TYPE_NAME;
  return visibleTypes(db, scope)
    .where((eb) => (isUuid(name) ? eb.or([eb('id', '=', name), eb('name', '=', name)]) : eb('name', '=', name)))
    .executeTakeFirst();
}

export async function defaultVolumeType(db: Db): Promise<VolumeTypeRow> {
  const row = await findVolumeTypeByNameOrId(db, { admin: true }, null);
  if (!row) throw new NotFoundError('Volume type', DEFAULT_VOLUME_TYPE_NAME);
  return row;
}
