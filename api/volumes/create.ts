import type { RequestContext } from '../../common/context.js';
import { isAdmin } from '../../common/context.js';
import type { VolumeTypeRow } from '../../common/db/schema.js';
import { InvalidInputError } from '../../common/errors.js';
import { newUuid, type VolumeId } from '../../common/ids.js';
import { listZones } from '../availability-zones/queries.js';
import type { ApiDeps } from '../deps.js';
import { findVolumeTypeByNameOrId } from '../volume-types/queries.js';
import { commitWithCasts } from './casts.js';
import type { VolumeWithType } from './queries.js';
import type { CreateVolumeInput } from './schema.js';

async function resolveType({ db }: ApiDeps, context: RequestContext, ref: string | null): Promise<VolumeTypeRow> {
  const type = await findVolumeTypeByNameOrId(db, { admin: isAdmin(context) }, ref);
  if (!type) throw new InvalidInputError(`Volume type ${ref} could not be found.`);
  return type;
}

/** A zone of some volume service, or the default zone; null means the default zone. */
async function resolveZone({ db, config }: ApiDeps, requested: string | null): Promise<string> {
  if (requested === null) return config.defaultAvailabilityZone;
  const zones = await listZones(db, config);
  if (!zones.some((z) => z.name === requested)) {
    throw new InvalidInputError(`Availability zone '${requested}' is invalid.`);
  }
  return requested;
}

/**
 * `POST /volumes`: checks the type and zone, then writes the row (status `creating`) and the cast
 * that asks the scheduler to place it, in one transaction.
 */
export async function createVolume(deps: ApiDeps, context: RequestContext, input: CreateVolumeInput): Promise<VolumeWithType> {
  const type = await resolveType(deps, context, input.volumeType);
  const zone = await resolveZone(deps, input.availabilityZone);
  const id = newUuid<VolumeId>();
  const row = await commitWithCasts(deps, context, async (trx, casts) => {
    const inserted = await trx
      .insertInto('volumes')
      .values({
        id,
        project_id: context.projectId,
        user_id: context.userId,
        name: input.name,
        description: input.description,
        size: input.size,
        status: 'creating',
        previous_status: null,
        attach_status: 'detached',
        availability_zone: zone,
        volume_type_id: type.id,
        host: null,
        metadata: JSON.stringify(input.metadata),
        status_reason: null,
        scheduling_excluded_hosts: '[]',
        updated_at: null,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await casts.schedule({ volumeId: id });
    return inserted;
  });
  return { ...row, volume_type_name: type.name };
}
