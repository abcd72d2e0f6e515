import type { Response } from 'express';
import { isAdmin } from '../../common/context.js';
import { ForbiddenError } from '../../common/errors.js';
import { VersionNotFoundForMethodError } from './errors.js';
import { apiVersion, requestContext } from './request-state.js';
import type { ApiVersion } from '../versions/api-version.js';

/** Admin-only operations answer 403 to everyone else, as Cinder's default policy does. */
export function requireAdmin(res: Response): void {
  if (!isAdmin(requestContext(res))) throw new ForbiddenError();
}

/** Routes added by a microversion are unknown (404) below it. */
export function requireVersion(res: Response, min: ApiVersion): void {
  const version = apiVersion(res);
  if (!version.atLeast(min)) throw new VersionNotFoundForMethodError(version.toString());
}
