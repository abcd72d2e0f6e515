import type { RequestContext } from '../../common/context.js';
import type { Db } from '../../common/db/database.js';
import { transitionVolume } from '../../common/status.js';
import type { ApiDeps } from '../deps.js';
import { commitWithCasts } from './casts.js';
import { getVolume, type VolumeScope } from './queries.js';

/** A volume that never reached a backend has nothing to clean up: it goes straight to `deleted`. */
async function deleteUnplaced(db: Db, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await transitionVolume(trx, id, 'delete');
    await transitionVolume(trx, id, 'deleted', { set: { deleted_at: new Date() } });
  });
}

/**
 * `DELETE /volumes/{id}`: refused (400, naming the status) unless the status allows it; otherwise
 * the volume goes to `deleting` and its backend is asked to delete it.
 */
export async function deleteVolume(deps: ApiDeps, context: RequestContext, scope: VolumeScope, id: string): Promise<void> {
  const volume = await getVolume(deps.db, scope, id);
  const host = volume.host;
  if (host === null) return deleteUnplaced(deps.db, volume.id);
  await commitWithCasts(deps, context, async (trx, casts) => {
    await transitionVolume(trx, volume.id, 'delete', { host });
    await casts.toBackend(host, 'deleteVolume', { volumeId: volume.id });
  });
}
