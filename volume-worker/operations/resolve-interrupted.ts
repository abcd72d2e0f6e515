import { sql } from 'kysely';
import type { RequestContext } from '../../common/context.js';
import type { VolumeRow } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import { newRequestId } from '../../common/ids.js';
import type { VolumeStatus } from '../../common/status.js';
import { OPERATION_FAILURES, failOperation, tryTransition } from '../volume-records.js';
import type { WorkerRuntime } from '../worker-runtime.js';
import { createVolume } from './create-volume.js';
import { deleteVolume } from './delete-volume.js';

/** The statuses this worker's operations leave behind when the process dies mid-way. */
const RESOLVED_STATUSES: readonly VolumeStatus[] = ['creating', 'extending', 'deleting'];

/** Work resumed at start-up acts for the volume's owner, so failures reach the owner's messages. */
function ownerContext(volume: VolumeRow): RequestContext {
  return { requestId: newRequestId(), projectId: volume.project_id, userId: volume.user_id, roles: [] };
}

/**
 * Cinder's init_host clean-up: every volume of this backend left `creating`, `extending` or
 * `deleting` by a crash is driven to a resolved status before the worker consumes requests.
 * Creates and deletes are resumed (the driver is idempotent). An extend's requested size is not
 * stored, so the size on storage decides: a file already grown records its new size, otherwise
 * the volume returns to `available` at its old size and the owner may extend again.
 */
export async function resolveInterrupted(rt: WorkerRuntime): Promise<void> {
  const volumes = await rt.db
    .selectFrom('volumes')
    .selectAll()
    .where(sql<string>`split_part(host, '#', 1)`, '=', rt.backendHost)
    .where('status', 'in', [...RESOLVED_STATUSES])
    .execute();
  for (const volume of volumes) {
    rt.log.info('resolving a volume left in a transitional status', { volume_id: volume.id, status: volume.status });
    try {
      await resolveOne(rt, volume, ownerContext(volume));
    } catch (err) {
      rt.log.error('could not resolve volume; will retry at the next start', { volume_id: volume.id, error: errorMessage(err) });
    }
  }
}

async function resolveOne(rt: WorkerRuntime, volume: VolumeRow, ctx: RequestContext): Promise<void> {
  if (volume.status === 'creating') await createVolume(rt, volume.id, ctx);
  else if (volume.status === 'deleting') await deleteVolume(rt, volume.id, ctx);
  else await resolveExtend(rt, volume, ctx);
}

async function resolveExtend(rt: WorkerRuntime, volume: VolumeRow, ctx: RequestContext): Promise<void> {
  let sizeGb: number | undefined;
  try {
    sizeGb = await rt.driver.getVolumeSize({ id: volume.id });
  } catch (err) {
    await failOperation(rt, volume, OPERATION_FAILURES.extendVolume, errorMessage(err), ctx);
    return;
  }
  if (sizeGb === undefined) {
    await failOperation(rt, volume, OPERATION_FAILURES.extendVolume, 'The volume is missing from its backend.', ctx);
    return;
  }
  const newSizeGb = Math.max(sizeGb, volume.size);
  if (await tryTransition(rt, volume.id, 'extended', { host: volume.host ?? undefined, set: { size: newSizeGb } })) {
    rt.log.info('interrupted extend resolved from the size on storage', { volume_id: volume.id, from_gb: volume.size, to_gb: newSizeGb });
  }
}
