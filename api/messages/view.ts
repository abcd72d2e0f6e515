import type { MessageRow } from '../../common/db/schema.js';
import { formatTimestamp } from '../http/timestamps.js';
import type { ViewContext } from '../http/view-context.js';

/** Cinder's message view; `cinder create --poll` prints `user_message` of the first one. */
export function messageView(message: MessageRow, view: ViewContext) {
  return {
    id: message.id,
    event_id: message.event_id,
    user_message: message.user_message,
    message_level: message.message_level,
    resource_type: message.resource_type,
    resource_uuid: message.resource_uuid,
    request_id: message.request_id,
    created_at: formatTimestamp(message.created_at),
    guaranteed_until: formatTimestamp(message.expires_at),
    links: view.links.resource('messages', message.id),
  };
}
