import type { RequestContext } from '../../common/context.js';
import { errorMessage } from '../../common/errors.js';
import { OPERATION_FAILURES, failOperation, ownedVolumeIn, tryTransition } from '../volume-records.js';
import type { WorkerRuntime } from '../worker-runtime.js';

/** Removes a `deleting` volume of this backend from storage, then marks it `deleted`. */
export async function deleteVolume(rt: WorkerRuntime, volumeId: string, ctx: RequestContext): Promise<void> {
  const volume = await ownedVolumeIn(rt, volumeId, 'deleting');
  if (!volume) return;
  try {
    await rt.driver.deleteVolume({ id: volume.id });
  } catch (err) {
    await failOperation(rt, volume, OPERATION_FAILURES.deleteVolume, errorMessage(err), ctx);
    return;
  }
  if (await tryTransition(rt, volume.id, 'deleted', { host: volume.host ?? undefined, set: { deleted_at: new Date() } })) {
    rt.log.info('volume deleted', { volume_id: volume.id });
  }
}
