import type { Response } from 'express';
import type { RequestContext } from '../../common/context.js';
import type { RequestId } from '../../common/ids.js';
import type { ApiVersion } from '../versions/api-version.js';

/** What the middleware chain learns about a request, kept on `res.locals` for the handlers. */
export interface RequestState {
  /** Fresh for every request; sent back in x-openstack-request-id and x-compute-request-id. */
  readonly requestId: RequestId;
  /** The caller's X-OpenStack-Request-ID, when it sent a well-formed one. */
  readonly globalRequestId?: RequestId;
  context?: RequestContext;
  version?: ApiVersion;
  /** The project named in the URL (`/v3/{project_id}/...`); undefined for the project-less form. */
  urlProjectId?: string;
}

const KEY = 'floe';

export function initRequestState(res: Response, state: RequestState): void {
  res.locals[KEY] = state;
}

export function requestState(res: Response): RequestState {
  const state = res.locals[KEY] as RequestState | undefined;
  if (!state) throw new Error('request state is missing: the request-id middleware must run first');
  return state;
}

export function requestContext(res: Response): RequestContext {
  const { context } = requestState(res);
  if (!context) throw new Error('request context is missing: the auth middleware must run first');
  return context;
}

export function apiVersion(res: Response): ApiVersion {
  const { version } = requestState(res);
  if (!version) throw new Error('API version is missing: the microversion middleware must run first');
  return version;
}
