import type { RequestContext } from '../../common/context.js';
import { isAdmin } from '../../common/context.js';
import type { Db } from '../../common/db/database.js';
import type { Metadata, VolumeRow, VolumeTypeRow } from '../../common/db/schema.js';
import { InvalidInputError } from '../../common/errors.js';
import { newUuid, type VolumeId } from '../../common/ids.js';
import { listZones } from '../availability-zones/queries.js';
import type { ApiDeps } from '../deps.js';
import { findVolumeTypeByNameOrId } from '../volume-types/queries.js';
import { commitWithCasts, type VolumeCasts } from './casts.js';
import type { VolumeWithType } from './queries.js';
import type { CreateVolumeInput } from './schema.js';

export async function resolveType({ db }: ApiDeps, context: RequestContext, ref: string | null): Promise<VolumeTypeRow> {
  const type = await findVolumeTypeByNameOrId(db, { admin: isAdmin(context) }, ref);
  if (!type) throw new InvalidInputError(`Volume type ${ref} could not be found.`);
  return type;
}

/** A zone of some volume service, or the default zone; null means the default zone. */
export async function resolveZone({ db, config }: ApiDeps, requested: string | null): Promise<string> {
  if (requested === null) return config.defaultAvailabilityZone;
  const zones = await listZones(db, config);
  if (!zones.some((z) => z.name === requested)) {
    throw new InvalidInputError(`Availability zone '${requested}' is invalid.`);
  }
  return requested;
}

/** What a new volume row needs besides its owner (the requester). */
export interface NewVolumeFields {
  readonly id: VolumeId;
  readonly name: string | null;
  readonly description: string | null;
  readonly size: number;
  readonly availabilityZone: string;
  readonly volumeTypeId: string;
  readonly metadata: Metadata;
}

/**
 * Writes a new volume row (status `creating`) and the cast asking the scheduler to place it, in the
 * caller's transaction; a backup restore to a new volume creates its volume this way too.
 */
export async function insertVolume(trx: Db, casts: VolumeCasts, context: RequestContext, fields: NewVolumeFields): Promise<VolumeRow> {
  const inserted = await trx
    .insertInto('volumes')
    .values({
      id: fields.id,
      project_id: context.projectId,
      user_id: context.userId,
      name: fields.name,
      description: fields.description,
      size: fields.size,
      status: 'creating',
      previous_status: null,
      attach_status: 'detached',
      availability_zone: fields.availabilityZone,
      volume_type_id: fields.volumeTypeId,
      host: null,
      metadata: JSON.stringify(fields.metadata),
      status_reason: null,
      scheduling_excluded_hosts: '[]',
      updated_at: null,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await casts.schedule({ volumeId: fields.id });
  return inserted;
}

/**
 * `POST /volumes`: checks the type and zone, then writes the row (status `creating`) and the cast
 * that asks the scheduler to place it, in one transaction.
 */
export async function createVolume(deps: ApiDeps, context: RequestContext, input: CreateVolumeInput): Promise<VolumeWithType> {
  const type = await resolveType(deps, context, input.volumeType);
  const zone = await resolveZone(deps, input.availabilityZone);
  const fields = {
    id: newUuid<VolumeId>(), name: input.name, description: input.description, size: input.size,
    availabilityZone: zone, volumeTypeId: type.id, metadata: input.metadata,
  };
  const row = await commitWithCasts(deps, context, (trx, casts) => insertVolume(trx, casts, context, fields));
  return { ...row, volume_type_name: type.name };
}
