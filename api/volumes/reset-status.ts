import type { Db } from '../../common/db/database.js';
import { setVolumeStatus } from '../../common/status.js';
import { getVolume, type VolumeScope } from './queries.js';
import type { ResetStatusInput } from './schema.js';

/**
 * `os-reset_status` (admin only, checked by the caller): sets the status and/or attach status
 * whatever the current status, as a compare-and-swap on the status just read. `{}` changes nothing.
 */
export async function resetVolumeStatus(db: Db, scope: VolumeScope, id: string, input: ResetStatusInput): Promise<void> {
  const volume = await getVolume(db, scope, id);
  if (input.status === undefined && input.attach_status === undefined) return;
  const set = input.attach_status !== undefined ? { attach_status: input.attach_status } : {};
  await setVolumeStatus(db, volume.id, [volume.status], input.status ?? volume.status, { set });
}
