import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import type { ServiceRow } from '../../common/db/schema.js';

/** The `binary` of the services rows volume workers keep (one per `host@backend`). */
export const VOLUME_BINARY = 'floe-volume';

export interface ServiceState extends ServiceRow {
  /** Not stopped, and the heartbeat is younger than the service down time (by the database clock). */
  readonly is_up: boolean;
}

export interface ServiceFilters {
  readonly binary?: string;
  readonly host?: string;
}

export async function listServices(db: Db, downTimeMs: number, filters: ServiceFilters = {}): Promise<ServiceState[]> {
  let query = db
    .selectFrom('services')
    .selectAll()
    .select(sql<boolean>`stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${downTimeMs / 1000})`.as('is_up'))
    .orderBy('binary')
    .orderBy('host');
  if (filters.binary !== undefined) query = query.where('binary', '=', filters.binary);
  if (filters.host !== undefined) query = query.where('host', '=', filters.host);
  return query.execute();
}
