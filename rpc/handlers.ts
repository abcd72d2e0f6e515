import type { Envelope, HandlerMap } from './transport.js';
import { UnknownMethodError } from './errors.js';

/** Runs the handler the envelope names (callers restore the envelope's context around it). */
export async function invokeHandler(topic: string, handlers: HandlerMap, envelope: Envelope): Promise<unknown> {
  const handler = Object.hasOwn(handlers, envelope.method) ? handlers[envelope.method] : undefined;
  if (!handler) throw new UnknownMethodError(topic, envelope.method);
  return handler(envelope.args, envelope.context, envelope);
}
