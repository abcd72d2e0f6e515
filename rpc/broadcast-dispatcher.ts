import { runWithContext } from '../common/context.js';
import { errorMessage } from '../common/errors.js';
import { getLogger } from '../common/logger.js';
import type { Delivery } from './delivery.js';
import { decodeEnvelope } from './envelope.js';
import { invokeHandler } from './handlers.js';
import type { Envelope, HandlerMap } from './transport.js';

const log = getLogger('rpc');

async function handle(exchange: string, handlers: HandlerMap, envelope: Envelope): Promise<void> {
  try {
    await invokeHandler(exchange, handlers, envelope);
  } catch (err) {
    log.error('broadcast handler failed; message dropped', { exchange, method: envelope.method, error: errorMessage(err) });
  }
}

/**
 * What a fanout subscriber does with each message: run the handler and ack. Broadcasts are periodic
 * reports that the next one supersedes, so a failure is logged and the message dropped, not retried.
 */
export function broadcastDispatcher(exchange: string, handlers: HandlerMap): (delivery: Delivery) => Promise<void> {
  return async (delivery) => {
    try {
      const envelope = decodeEnvelope(delivery.message.content);
      await runWithContext(envelope.context, () => handle(exchange, handlers, envelope));
    } catch (err) {
      log.error('malformed broadcast message dropped', { exchange, error: errorMessage(err) });
    }
    delivery.ack();
  };
}
