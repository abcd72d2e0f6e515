import { sql, type Kysely } from 'kysely';

/**
 * Named repositories and replication (issue 4): where each backup's copies are and the state of
 * each, and the state of every configured repository as the backup workers last found it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('backup_copies')
    .addColumn('backup_id', 'uuid', (c) => c.notNull().references('backups.id').onDelete('cascade'))
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fail_reason', 'text')
    .addColumn('object_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz')
    .addPrimaryKeyConstraint('backup_copies_pk', ['backup_id', 'repository'])
    .execute();
  await db.schema
    .createTable('backup_repositories')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // Backups made before named repositories have their one copy in `default`.
  await sql`INSERT INTO backup_copies (backup_id, repository, status, fail_reason, object_count)
            SELECT id, container, CASE WHEN status IN ('available', 'restoring') THEN 'available' WHEN status = 'creating' THEN 'creating' ELSE 'error' END,
                   fail_reason, object_count FROM backups WHERE deleted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('backup_repositories').execute();
  await db.schema.dropTable('backup_copies').execute();
}
