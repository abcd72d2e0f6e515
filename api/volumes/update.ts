import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import { NotFoundError } from '../../common/errors.js';
import { getVolume, type VolumeScope, type VolumeWithType } from './queries.js';
import type { UpdateVolumeInput } from './schema.js';

/** `PUT /volumes/{id}`: name, description and metadata; the status is not touched. */
export async function updateVolume(db: Db, scope: VolumeScope, id: string, input: UpdateVolumeInput): Promise<VolumeWithType> {
  const volume = await getVolume(db, scope, id);
  const { metadata, ...text } = input;
  const row = await db
    .updateTable('volumes')
    .set({
      ...text,
      ...(metadata !== undefined ? { metadata: JSON.stringify(metadata) } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', volume.id)
    .where('status', '!=', 'deleted')
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Volume', id);
  return { ...row, volume_type_name: volume.volume_type_name };
}
