import type { Request, Response } from 'express';
import type { FloeConfig } from '../../common/config.js';
import { isAdmin } from '../../common/context.js';
import type { ApiVersion } from '../versions/api-version.js';
import { baseUrl, LinkBuilder } from './links.js';
import { apiVersion, requestContext, requestState } from './request-state.js';

/** What a view needs to know about the request to shape a response body. */
export interface ViewContext {
  readonly version: ApiVersion;
  readonly admin: boolean;
  readonly links: LinkBuilder;
}

export function viewContext(req: Request, res: Response, config: FloeConfig): ViewContext {
  return {
    version: apiVersion(res),
    admin: isAdmin(requestContext(res)),
    links: new LinkBuilder(baseUrl(req, config), requestState(res).urlProjectId),
  };
}
