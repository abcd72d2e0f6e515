import type { Kysely } from 'kysely';

/** A service that stopped cleanly says so at once, instead of looking `up` until its heartbeat ages. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').addColumn('stopped_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('stopped_at').execute();
}
