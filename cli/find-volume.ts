import { isUuid } from '../common/ids.js';
import { AmbiguousNameError, NoMatchError } from './errors.js';
import type { FloeApi } from './floe-api.js';
import type { Volume } from './types.js';

/**
 * Resolves a name or id as cinderclient does: a UUID is fetched directly; otherwise (or on 404)
 * `GET /volumes/detail?name=` must give exactly one volume with that exact name.
 */
export async function findVolume(api: FloeApi, ref: string): Promise<Volume> {
  const byId = isUuid(ref) ? await api.getVolumeIfExists(ref) : undefined;
  if (byId) return byId;
  const matches = (await api.listVolumes({ name: ref })).filter((v) => v.name === ref);
  if (matches.length === 0) throw new NoMatchError('volume', ref);
  if (matches.length > 1) throw new AmbiguousNameError('volume', ref, matches.length);
  return matches[0];
}
