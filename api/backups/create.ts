import type { RequestContext } from '../../common/context.js';
import type { BackupRow, VolumeRow } from '../../common/db/schema.js';
import { InvalidInputError } from '../../common/errors.js';
import { newUuid } from '../../common/ids.js';
import type { RepositoryDefinition } from '../../common/repository-config.js';
import { setVolumeStatus, VOLUME_TRANSITIONS } from '../../common/status.js';
import { usableRepository } from '../backup-repositories/usable.js';
import type { ApiDeps } from '../deps.js';
import { resolveZone } from '../volumes/create.js';
import { getVolume } from '../volumes/queries.js';
import { commitWithBackupCasts } from './casts.js';
import { insertCopies } from '../../common/backup-copies.js';
import { latestAvailableBackup } from './queries.js';
import type { CreateBackupInput } from './schema.js';

/** As Cinder: only an available volume, or an in-use one with `force` (which needs snapshots here). */
function checkVolumeStatus(volume: VolumeRow, force: boolean): void {
  if (volume.status === 'in-use') {
    if (!force) throw new InvalidInputError('Backing up an in-use volume must use the force flag.');
    throw new InvalidInputError('Backing up an in-use volume (force) is not supported until snapshots are (a later release).');
  }
  const allowed: readonly string[] = VOLUME_TRANSITIONS.backUp.from;
  if (!allowed.includes(volume.status)) {
    throw new InvalidInputError(`Volume to be backed up must be available or in-use, but the current status is "${volume.status}".`);
  }
}

/** The backup an incremental one follows; Cinder refuses an incremental backup without one. */
async function parentOf(deps: ApiDeps, volumeId: string, incremental: boolean): Promise<BackupRow | undefined> {
  if (!incremental) return undefined;
  const parent = await latestAvailableBackup(deps.db, volumeId);
  if (!parent) throw new InvalidInputError('Invalid backup: No backups available to do an incremental backup.');
  return parent;
}

/**
 * The repository a backup goes to: `container` names it, null means the default one. A name that is
 * not configured and one the project may not use get the same answer, so that other projects'
 * repository names do not leak.
 */
function repositoryFor(deps: ApiDeps, projectId: string, container: string | null): RepositoryDefinition {
  const name = container ?? deps.config.backup.defaultRepository;
  const repository = usableRepository(deps.config.backup, projectId, name);
  if (!repository) throw new InvalidInputError(`backup repository '${name}' does not exist`);
  return repository;
}

/**
 * `POST /backups`: the backup row (`creating`) with its copies (`creating`: its repository's and one
 * per repository that repository replicates to), the volume to `backing-up` (its status kept in
 * previous_status) and the cast to the backup workers, in one transaction. Every Floe backup is
 * stored deduplicated against the whole repository, so an incremental one differs only in its label.
 */
export async function createBackup(deps: ApiDeps, context: RequestContext, input: CreateBackupInput): Promise<BackupRow> {
  const repository = repositoryFor(deps, context.projectId, input.container);
  const scope = { projectId: context.projectId, allProjects: false };
  const volume = await getVolume(deps.db, scope, input.volumeId);
  checkVolumeStatus(volume, input.force);
  const parent = await parentOf(deps, volume.id, input.incremental);
  const zone = input.availabilityZone === null ? volume.availability_zone : await resolveZone(deps, input.availabilityZone);
  const id = newUuid<string>();
  return commitWithBackupCasts(deps, context, async (trx, casts) => {
    await setVolumeStatus(trx, volume.id, [volume.status], 'backing-up', { set: { previous_status: volume.status } });
    const row = await trx
      .insertInto('backups')
      .values({
        id, project_id: context.projectId, user_id: context.userId, volume_id: volume.id,
        name: input.name, description: input.description, container: repository.name, status: 'creating',
        fail_reason: null, size: volume.size, is_incremental: input.incremental, parent_id: parent?.id ?? null,
        snapshot_id: null, data_timestamp: null, availability_zone: zone, metadata: JSON.stringify(input.metadata),
        host: null, restore_volume_id: null, previous_volume_status: volume.status,
        verify_status: null, verify_result: null, verified_at: null, updated_at: null, deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertCopies(trx, id, repository);
    await casts.toWorker('createBackup', { backupId: id });
    return row;
  });
}
