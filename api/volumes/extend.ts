import type { RequestContext } from '../../common/context.js';
import { InvalidInputError } from '../../common/errors.js';
import { transitionVolume } from '../../common/status.js';
import type { ApiDeps } from '../deps.js';
import { commitWithCasts } from './casts.js';
import { getVolume, type VolumeScope } from './queries.js';

/**
 * `os-extend`: the new size must exceed the current one and the volume must be `available`; it
 * then goes to `extending` and its backend is asked to grow it.
 */
export async function extendVolume(
  deps: ApiDeps,
  context: RequestContext,
  scope: VolumeScope,
  id: string,
  newSizeGb: number,
): Promise<void> {
  const volume = await getVolume(deps.db, scope, id);
  if (newSizeGb <= volume.size) {
    throw new InvalidInputError(
      `New size for extend must be greater than current size. (current: ${volume.size}, extended: ${newSizeGb}).`,
    );
  }
  await commitWithCasts(deps, context, async (trx, casts) => {
    const extending = await transitionVolume(trx, volume.id, 'extend');
    if (extending.host === null) throw new InvalidInputError(`Volume ${volume.id} is not placed on any backend.`);
    await casts.toBackend(extending.host, 'extendVolume', { volumeId: volume.id, newSizeGb });
  });
}
