import type { RequestContext } from './context.js';
import type { Db } from './db/database.js';
import { newUuid } from './ids.js';

/** How long a user message is kept (Cinder's message_ttl default). */
const MESSAGE_TTL_MS = 30 * 24 * 3600 * 1000;

/** Event ids as Cinder's message catalogue names them. */
export const MESSAGE_EVENTS = {
  scheduleCreateVolume: 'VOLUME_VOLUME_001_003',
  createVolumeFromBackend: 'VOLUME_VOLUME_001_005',
  extendVolume: 'VOLUME_VOLUME_002_005',
  deleteVolume: 'VOLUME_VOLUME_003_005',
} as const;

/**
 * Records why an asynchronous operation failed, for `GET /messages?request_id=` (what
 * `cinder create --poll` prints when a volume ends in `error`).
 */
export async function recordUserMessage(
  db: Db,
  context: RequestContext,
  resource: { type: 'VOLUME'; id: string },
  eventId: string,
  userMessage: string,
): Promise<void> {
  if (!context.projectId) return;
  await db
    .insertInto('messages')
    .values({
      id: newUuid(),
      project_id: context.projectId,
      request_id: context.requestId,
      resource_type: resource.type,
      resource_uuid: resource.id,
      event_id: eventId,
      message_level: 'ERROR',
      user_message: userMessage,
      expires_at: new Date(Date.now() + MESSAGE_TTL_MS),
    })
    .execute();
}
