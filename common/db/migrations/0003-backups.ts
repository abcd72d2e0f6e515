import { sql, type Kysely } from 'kysely';

/**
 * Volume backups (issue 3). A row is the Cinder view of a backup; its data lives in the repository
 * named by `container`, under the backup's id. Progress is counted in bytes by the backup worker.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('backups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('volume_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('container', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fail_reason', 'text')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('object_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_incremental', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('parent_id', 'uuid')
    .addColumn('snapshot_id', 'uuid')
    .addColumn('data_timestamp', 'timestamptz')
    .addColumn('availability_zone', 'text', (c) => c.notNull())
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('progress_done_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('host', 'text')
    .addColumn('restore_volume_id', 'uuid')
    .addColumn('previous_volume_status', 'text')
    .addColumn('verify_status', 'text')
    .addColumn('verify_result', 'text')
    .addColumn('verified_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('backups_project_idx').on('backups').columns(['project_id', 'created_at']).execute();
  await db.schema.createIndex('backups_volume_idx').on('backups').columns(['volume_id', 'status']).execute();
  await db.schema.createIndex('backups_host_status_idx').on('backups').columns(['host', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('backups').execute();
}
