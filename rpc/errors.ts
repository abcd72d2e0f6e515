import { FloeError } from '../common/errors.js';

/** The message bus could not take a message (or lost a reply) within the time allowed. */
export class RpcUnavailableError extends FloeError {
  constructor(action: string, reason: string) {
    super('rpc_unavailable', 503, `The message bus is unavailable: could not ${action}: ${reason}`);
  }
}

/** A message that is not a valid envelope; it is dead-lettered, never retried. */
export class MalformedMessageError extends FloeError {
  constructor(reason: string) {
    super('rpc_malformed_message', 400, `Malformed RPC message: ${reason}`);
  }
}

/** No handler for the method a message names (version skew between services); never retried. */
export class UnknownMethodError extends FloeError {
  constructor(topic: string, method: string) {
    super('rpc_unknown_method', 501, `No handler for ${method} on ${topic}.`);
  }
}

/**
 * Failures that fail the same way on every attempt: an unknown method and client errors (4xx, for
 * example a status guard refusing the transition). Everything else is retried up to maxAttempts.
 */
export function isPermanentFailure(err: unknown): boolean {
  if (err instanceof UnknownMethodError) return true;
  return err instanceof FloeError && err.status >= 400 && err.status < 500;
}
