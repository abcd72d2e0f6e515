import type { RequestContext } from '../../common/context.js';
import { errorMessage } from '../../common/errors.js';
import { OPERATION_FAILURES, failOperation, ownedVolumeIn, tryTransition } from '../volume-records.js';
import type { WorkerRuntime } from '../worker-runtime.js';

/** Grows an `extending` volume of this backend to `newSizeGb`, then records the size (→ available). */
export async function extendVolume(rt: WorkerRuntime, volumeId: string, newSizeGb: number, ctx: RequestContext): Promise<void> {
  const volume = await ownedVolumeIn(rt, volumeId, 'extending');
  if (!volume) return;
  const failure = OPERATION_FAILURES.extendVolume;
  if (newSizeGb <= volume.size) {
    const reason = `New size ${newSizeGb} GiB must be greater than the current size ${volume.size} GiB.`;
    await failOperation(rt, volume, failure, reason, ctx);
    return;
  }
  try {
    await rt.driver.extendVolume({ id: volume.id, sizeGb: volume.size }, newSizeGb);
  } catch (err) {
    await failOperation(rt, volume, failure, errorMessage(err), ctx);
    return;
  }
  if (await tryTransition(rt, volume.id, 'extended', { host: volume.host ?? undefined, set: { size: newSizeGb } })) {
    rt.log.info('volume extended', { volume_id: volume.id, from_gb: volume.size, to_gb: newSizeGb });
  }
}
