import { sql } from 'kysely';
import type { Db } from '../../common/db/database.js';
import type { MessageRow } from '../../common/db/schema.js';
import { NotFoundError } from '../../common/errors.js';
import { isUuid } from '../../common/ids.js';

export interface MessageFilters {
  readonly request_id?: string;
  readonly resource_uuid?: string;
  readonly resource_type?: string;
  readonly event_id?: string;
  readonly message_level?: string;
}

/** The project's messages that have not expired yet. */
function projectMessages(db: Db, projectId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('expires_at', '>', sql<Date>`now()`);
}

export async function listMessages(db: Db, projectId: string, filters: MessageFilters): Promise<MessageRow[]> {
  let query = projectMessages(db, projectId).orderBy('created_at', 'desc').orderBy('id', 'desc');
  for (const [column, value] of Object.entries(filters) as [keyof MessageFilters, string | undefined][]) {
    if (value !== undefined) query = query.where(column, '=', value);
  }
  return query.execute();
}

export async function getMessage(db: Db, projectId: string, id: string): Promise<MessageRow> {
  const row = isUuid(id) ? await projectMessages(db, projectId).where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new NotFoundError('Message', id);
  return row;
}

export async function deleteMessage(db: Db, projectId: string, id: string): Promise<void> {
  const message = await getMessage(db, projectId, id);
  await db.deleteFrom('messages').where('id', '=', message.id).execute();
}
