import type { FloeConfig } from '../../common/config.js';
import type { Db } from '../../common/db/database.js';
import { listServices, VOLUME_BINARY } from '../services/queries.js';

export interface Zone {
  readonly name: string;
  /** Some enabled volume service of the zone is up. */
  readonly available: boolean;
}

/** The zones of the volume services plus the default zone, which always exists. */
export async function listZones(db: Db, config: FloeConfig): Promise<Zone[]> {
  const services = await listServices(db, config.serviceDownTimeMs, { binary: VOLUME_BINARY });
  const zones = new Map<string, boolean>([[config.defaultAvailabilityZone, false]]);
  for (const s of services) {
    const available = zones.get(s.availability_zone) ?? false;
    zones.set(s.availability_zone, available || (s.is_up && !s.disabled));
  }
  return [...zones].map(([name, available]) => ({ name, available }));
}
