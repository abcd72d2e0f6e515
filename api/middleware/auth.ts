import type { Request, RequestHandler } from 'express';
import { runWithContext, type RequestContext } from '../../common/context.js';
import { UnauthorizedError } from '../../common/errors.js';
import { requestState } from '../http/request-state.js';

export const ADMIN_USER = 'admin';

export interface Credentials {
  readonly userId: string;
  readonly projectId: string;
}

/**
 * Cinder's noauth: `X-Auth-Token: user:project`; a token without ':' is both user and project.
 * Without a token, the `x-user-id`/`x-project-id` headers of cinderclient's noauth plugin are used.
 */
export function noauthCredentials(token: string | undefined, userHeader?: string, projectHeader?: string): Credentials | undefined {
  if (token !== undefined && token !== '') {
    const sep = token.indexOf(':');
    if (sep < 0) return { userId: token, projectId: token };
    const userId = token.slice(0, sep);
    const projectId = token.slice(sep + 1) || userId;
    return userId === '' ? undefined : { userId, projectId };
  }
  if (projectHeader) return { userId: userHeader || projectHeader, projectId: projectHeader };
  return undefined;
}

function credentialsOf(req: Request): Credentials {
  const credentials = noauthCredentials(req.get('x-auth-token'), req.get('x-user-id'), req.get('x-project-id'));
  if (!credentials) throw new UnauthorizedError();
  return credentials;
}

/** Authenticates the request and runs the rest of the chain inside its RequestContext. */
export const noauthMiddleware: RequestHandler = (req, res, next) => {
  const { userId, projectId } = credentialsOf(req);
  const state = requestState(res);
  const context: RequestContext = {
    requestId: state.requestId,
    projectId,
    userId,
    roles: userId === ADMIN_USER ? ['admin'] : ['member'],
  };
  state.context = context;
  runWithContext(context, () => next());
};
