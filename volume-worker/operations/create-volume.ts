import type { RequestContext } from '../../common/context.js';
import type { VolumeRow } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import { OPERATION_FAILURES, failOperation, isReadyFor, readVolume, tryTransition } from '../volume-records.js';
import type { WorkerRuntime } from '../worker-runtime.js';

/**
 * Creates a volume scheduled here (`creating`, host on this backend). When the driver fails, the
 * volume goes back to the scheduler with this backend excluded while attempts remain, else to
 * `error`. A redelivery finds the work done (status) or resumes a hand-back whose cast was lost.
 */
export async function createVolume(rt: WorkerRuntime, volumeId: string, ctx: RequestContext): Promise<void> {
  const volume = await readVolume(rt, volumeId);
  if (volume && wasHandedBack(rt, volume)) {
    await rt.scheduler.createVolume({ volumeId }, ctx);
    return;
  }
  if (!isReadyFor(rt, volume, 'creating')) return;
  try {
    await rt.driver.createVolume({ id: volume.id, sizeGb: volume.size });
  } catch (err) {
    await createFailed(rt, volume, errorMessage(err), ctx);
    return;
  }
  if (await tryTransition(rt, volume.id, 'created', { host: volume.host ?? undefined })) {
    rt.log.info('volume created', { volume_id: volume.id, size_gb: volume.size });
  }
}

/** This backend gave the volume back to the scheduler (it may not have received it yet). */
function wasHandedBack(rt: WorkerRuntime, volume: VolumeRow): boolean {
  return volume.status === 'creating' && volume.host === null && volume.scheduling_excluded_hosts.includes(rt.backendHost);
}

/** This backend is excluded from the volume's next attempts, and the volume retried or failed. */
async function createFailed(rt: WorkerRuntime, volume: VolumeRow, reason: string, ctx: RequestContext): Promise<void> {
  rt.log.warn('driver failed to create volume', { volume_id: volume.id, attempt: volume.scheduling_attempts, reason });
  const excluded = [...new Set([...volume.scheduling_excluded_hosts, rt.backendHost])];
  if (volume.scheduling_attempts < rt.maxAttempts) {
    await reschedule(rt, volume, excluded, ctx);
    return;
  }
  const extra = { scheduling_excluded_hosts: JSON.stringify(excluded) };
  await failOperation(rt, volume, OPERATION_FAILURES.createVolume, reason, ctx, extra);
}

/** Clears the host and records the exclusion in one guarded UPDATE, then asks the scheduler again. */
async function reschedule(rt: WorkerRuntime, volume: VolumeRow, excluded: string[], ctx: RequestContext): Promise<void> {
  const row = await tryTransition(rt, volume.id, 'scheduled', {
    host: volume.host ?? undefined,
    set: { host: null, scheduling_excluded_hosts: JSON.stringify(excluded) },
  });
  if (!row) return;
  rt.log.info('volume sent back to the scheduler', { volume_id: volume.id, excluded_hosts: excluded });
  await rt.scheduler.createVolume({ volumeId: volume.id }, ctx);
}
