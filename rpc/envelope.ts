import { z } from 'zod';
import type { RequestContext } from '../common/context.js';
import { FloeError, RpcRemoteError, errorMessage } from '../common/errors.js';
import { MalformedMessageError } from './errors.js';
import type { Envelope } from './transport.js';

/** Version stamped on an envelope whose sender did not name one. */
export const DEFAULT_RPC_VERSION = '1.0';

const contextSchema = z.object({
  requestId: z.string().min(1),
  projectId: z.string(),
  userId: z.string(),
  roles: z.array(z.string()),
});

const envelopeSchema = z.object({
  method: z.string().min(1),
  args: z.unknown(),
  context: contextSchema,
  version: z.string().min(1),
  sent_at: z.string(),
});

export function makeEnvelope(
  method: string,
  args: unknown,
  context: RequestContext,
  version: string = DEFAULT_RPC_VERSION,
): Envelope {
  const { requestId, projectId, userId, roles } = context;
  return { method, args, context: { requestId, projectId, userId, roles }, version, sent_at: new Date().toISOString() };
}

export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

/** Parses an envelope from the wire or from storage; throws MalformedMessageError. */
export function parseEnvelope(value: unknown): Envelope {
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) throw new MalformedMessageError(z.prettifyError(parsed.error));
  return parsed.data;
}

export function decodeEnvelope(content: Buffer): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch (err) {
    throw new MalformedMessageError(`not JSON (${errorMessage(err)})`);
  }
  return parseEnvelope(value);
}

/** The answer to a `call`: the handler's result, or its error as code/status/message. */
export type Reply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly status: number; readonly message: string } };

export function resultReply(result: unknown): Reply {
  return { ok: true, result };
}

export function errorReply(err: unknown): Reply {
  if (err instanceof FloeError) return { ok: false, error: { code: err.code, status: err.status, message: err.message } };
  return { ok: false, error: { code: 'internal_error', status: 500, message: errorMessage(err) } };
}

export function encodeReply(reply: Reply): Buffer {
  return Buffer.from(JSON.stringify(reply));
}

const replySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), status: z.number(), message: z.string() }) }),
]);

/** The result of a reply, or the remote handler's error rethrown as RpcRemoteError. */
export function unpackReply<R>(content: Buffer): R {
  let reply: z.infer<typeof replySchema>;
  try {
    reply = replySchema.parse(JSON.parse(content.toString('utf8')));
  } catch (err) {
    throw new MalformedMessageError(`invalid reply (${errorMessage(err)})`);
  }
  if (!reply.ok) throw new RpcRemoteError(reply.error.code, reply.error.status, reply.error.message);
  return reply.result as R;
}
