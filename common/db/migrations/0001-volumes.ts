import { sql, type Kysely } from 'kysely';

export const DEFAULT_VOLUME_TYPE_ID = '5f1d7a3e-0000-4000-8000-00000000d3fa';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('volume_types')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('is_public', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('extra_specs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`INSERT INTO volume_types (id, name, description, is_public)
            VALUES (${DEFAULT_VOLUME_TYPE_ID}, '__DEFAULT__', 'Default Volume Type', true)`.execute(db);

  await db.schema
    .createTable('volumes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size > 0`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('previous_status', 'text')
    .addColumn('attach_status', 'text', (c) => c.notNull().defaultTo('detached'))
    .addColumn('availability_zone', 'text', (c) => c.notNull())
    .addColumn('volume_type_id', 'uuid', (c) => c.notNull().references('volume_types.id'))
    .addColumn('host', 'text')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('bootable', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status_reason', 'text')
    .addColumn('scheduling_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scheduling_excluded_hosts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('volumes_project_idx').on('volumes').columns(['project_id', 'created_at']).execute();
  await db.schema.createIndex('volumes_host_status_idx').on('volumes').columns(['host', 'status']).execute();

  await db.schema
    .createTable('services')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('binary', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('availability_zone', 'text', (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('disabled_reason', 'text')
    .addColumn('capabilities', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('services_binary_host_key', ['binary', 'host'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_uuid', 'uuid')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('message_level', 'text', (c) => c.notNull())
    .addColumn('user_message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_request_idx').on('messages').columns(['project_id', 'request_id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('routing_key', 'text', (c) => c.notNull())
    .addColumn('envelope', 'jsonb', (c) => c.notNull())
    .addColumn('resource_kind', 'text')
    .addColumn('resource_id', 'uuid')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').column('next_attempt_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['outbox', 'messages', 'services', 'volumes', 'volume_types']) {
    await db.schema.dropTable(table).execute();
  }
}
