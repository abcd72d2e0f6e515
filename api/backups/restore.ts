import type { RequestContext } from '../../common/context.js';
import type { Db } from '../../common/db/database.js';
import type { BackupRow } from '../../common/db/schema.js';
import { InvalidInputError } from '../../common/errors.js';
import { newUuid, type VolumeId } from '../../common/ids.js';
import { transitionBackup, transitionVolume } from '../../common/status.js';
import type { ApiDeps } from '../deps.js';
import { defaultVolumeType } from '../volume-types/queries.js';
import { insertVolume } from '../volumes/create.js';
import { getVolume } from '../volumes/queries.js';
import { commitWithBackupCasts, type BackupCasts } from './casts.js';
import { requireCompleteCopy } from './copies.js';
import { getBackup, type BackupScope } from './queries.js';
import type { RestoreBackupInput } from './schema.js';

export interface RestoreTarget {
  readonly id: string;
  readonly name: string | null;
}

/** The backup leaves `available` for `restoring` into `volumeId`, no worker having taken it yet. */
async function startRestore(trx: Db, casts: BackupCasts, backup: BackupRow, volumeId: string): Promise<void> {
  await transitionBackup(trx, backup.id, 'restore', { set: { host: null, restore_volume_id: volumeId, fail_reason: null } });
  await casts.toWorker('restoreBackup', { backupId: backup.id, volumeId });
}

/**
 * `POST /backups/{id}/restore`. Into an existing volume: it must be `available` and at least as large
 * as the backup; it goes to `restoring-backup` at once. Into a new volume (no volume_id): a volume of
 * the backup's size is created the normal way (`creating`, placed by the scheduler, made by a volume
 * worker); the backup worker waits until it is `available`, then moves it to `restoring-backup`
 * and writes it. Either way, the rows and the casts commit together. The backup needs a complete
 * (`available`) copy to restore from.
 */
export async function restoreBackup(
  deps: ApiDeps,
  context: RequestContext,
  scope: BackupScope,
  backupId: string,
  input: RestoreBackupInput,
): Promise<RestoreTarget> {
  const backup = await getBackup(deps.db, scope, backupId);
  if (backup.status !== 'available') {
    throw new InvalidInputError(`Backup status must be available, but the current status is "${backup.status}".`);
  }
  await requireCompleteCopy(deps.db, backup.id);
  return input.volumeId === null ? restoreToNewVolume(deps, context, backup, input) : restoreToVolume(deps, context, backup, input.volumeId);
}

async function restoreToVolume(deps: ApiDeps, context: RequestContext, backup: BackupRow, volumeId: string): Promise<RestoreTarget> {
  const volume = await getVolume(deps.db, { projectId: context.projectId, allProjects: false }, volumeId);
  if (volume.size < backup.size) {
    throw new InvalidInputError(`Volume size ${volume.size} GB is too small to restore backup of size ${backup.size} GB.`);
  }
  await commitWithBackupCasts(deps, context, async (trx, casts) => {
    await transitionVolume(trx, volume.id, 'restoreBackup', { set: { previous_status: volume.status } });
    await startRestore(trx, casts, backup, volume.id);
  });
  return { id: volume.id, name: volume.name };
}

async function restoreToNewVolume(deps: ApiDeps, context: RequestContext, backup: BackupRow, input: RestoreBackupInput): Promise<RestoreTarget> {
  const type = await defaultVolumeType(deps.db);
  const fields = {
    id: newUuid<VolumeId>(),
    name: input.name ?? `restore_backup_${backup.id}`,
    description: input.description ?? `auto-created_from_restore_from_backup ${backup.id}`,
    size: backup.size,
    availabilityZone: backup.availability_zone,
    volumeTypeId: type.id,
    metadata: {},
  };
  await commitWithBackupCasts(deps, context, async (trx, casts) => {
    await insertVolume(trx, casts.volumes, context, fields);
    await startRestore(trx, casts, backup, fields.id);
  });
  return { id: fields.id, name: fields.name };
}
