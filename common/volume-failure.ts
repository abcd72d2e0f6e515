import type { Db } from './db/database.js';
import type { VolumeRow } from './db/schema.js';
import { InvalidStateError } from './errors.js';
import { setVolumeStatus, type VolumeStatus } from './status.js';

/** The error status each transitional status resolves to when its operation fails for good. */
export const FAILED_STATUS: Readonly<Partial<Record<VolumeStatus, VolumeStatus>>> = {
  creating: 'error',
  extending: 'error_extending',
  deleting: 'error_deleting',
  'restoring-backup': 'error_restoring',
};

/**
 * Moves a volume from whatever transitional status it is in to the matching error status, with the
 * reason shown to its owner. Returns undefined when the volume is not in a transitional status
 * (the operation already finished, or another actor resolved it).
 */
export async function failVolume(db: Db, volumeId: string, reason: string): Promise<VolumeRow | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await db.selectFrom('volumes').select('status').where('id', '=', volumeId).executeTakeFirst();
    const target = row && FAILED_STATUS[row.status];
    if (!row || !target) return undefined;
    try {
      return await setVolumeStatus(db, volumeId, [row.status], target, { set: { status_reason: reason } });
    } catch (err) {
      if (!(err instanceof InvalidStateError)) throw err; // raced with another transition: look again
    }
  }
  return undefined;
}
