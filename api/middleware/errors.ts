import type { ErrorRequestHandler, RequestHandler } from 'express';
import { BodyTooLargeError, FloeError, faultName } from '../../common/errors.js';
import { getLogger } from '../../common/logger.js';
import { isDatabaseUnavailable } from '../../common/db/database.js';
import { DatabaseUnavailableError, MalformedBodyError, RouteNotFoundError } from '../http/errors.js';

const log = getLogger('api');

const GENERIC_MESSAGE = 'The server has either erred or is incapable of performing the requested operation.';

interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly expose?: boolean;
  readonly limit?: number;
  readonly message: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  const e = err as Partial<BodyParserError> | null;
  return typeof e?.type === 'string' && typeof e.status === 'number';
}

/** Maps what a handler threw to the error the client sees; undefined means "unexpected". */
function toFloeError(err: unknown): FloeError | undefined {
  if (err instanceof FloeError) return err;
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableError();
  if (!isBodyParserError(err)) return undefined;
  if (err.type === 'entity.too.large') return new BodyTooLargeError(`${err.limit ?? '?'} bytes`);
  if (err.type === 'entity.parse.failed') return new MalformedBodyError();
  if (err.expose && err.status < 500) return new FloeError(err.type, err.status, err.message);
  return undefined;
}

export const notFoundHandler: RequestHandler = () => {
  throw new RouteNotFoundError();
};

/** Renders every error as a Cinder fault; details of unexpected ones go to the log only. */
export const errorRenderer: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  const known = toFloeError(err);
  const path = req.originalUrl.split('?')[0];
  if (!known) log.error('unexpected error', { method: req.method, path, error: err instanceof Error ? err.stack : String(err) });
  else if (known.status >= 500) log.error('request failed', { code: known.code, error: known.message });
  const status = known?.status ?? 500;
  const message = known?.message ?? GENERIC_MESSAGE;
  res.status(status).json({ [faultName(status)]: { code: status, message } });
};
