import { sql } from 'kysely';
import type { Db } from './db/database.js';
import type { Capabilities } from './db/schema.js';

/** The `services` row a running service keeps fresh (what `os-services` and the scheduler read). */
export interface ServiceHeartbeat {
  readonly binary: 'floe-scheduler' | 'floe-volume' | 'floe-backup';
  readonly host: string;
  readonly availabilityZone: string;
  readonly capabilities?: Capabilities;
}

/**
 * Inserts or refreshes the service's row with `heartbeat_at = now()` (the database clock, so that
 * every reader compares heartbeats against one clock). `disabled` is left as an admin set it.
 */
export async function recordHeartbeat(db: Db, beat: ServiceHeartbeat): Promise<void> {
  const capabilities = JSON.stringify(beat.capabilities ?? {});
  await db
    .insertInto('services')
    .values({
      binary: beat.binary,
      host: beat.host,
      availability_zone: beat.availabilityZone,
      capabilities,
      heartbeat_at: sql<Date>`now()`,
    })
    .onConflict((oc) =>
      oc.columns(['binary', 'host']).doUpdateSet({
        availability_zone: beat.availabilityZone,
        capabilities,
        heartbeat_at: sql<Date>`now()`,
        stopped_at: null,
      }),
    )
    .execute();
}

/** Marks a cleanly stopped service down at once, so no scheduler picks it in the meantime. */
export async function recordServiceStopped(db: Db, binary: ServiceHeartbeat['binary'], host: string): Promise<void> {
  await db
    .updateTable('services')
    .set({ stopped_at: sql<Date>`now()` })
    .where('binary', '=', binary)
    .where('host', '=', host)
    .execute();
}
