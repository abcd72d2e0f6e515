import { z } from 'zod';
import { isUuid } from '../common/ids.js';
import { MalformedMessageError } from './errors.js';

export const uuidArg = z.string().refine(isUuid, 'must be a UUID');

/**
 * Validates a handler's arguments at the edge. Invalid arguments fail the same way on every
 * delivery, so they raise a permanent error that is dead-lettered at once.
 */
export function parseRpcArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new MalformedMessageError(z.prettifyError(parsed.error));
  return parsed.data;
}
