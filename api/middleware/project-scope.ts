import type { RequestHandler } from 'express';
import { MalformedRequestUrlError } from '../http/errors.js';
import { requestContext, requestState } from '../http/request-state.js';

/**
 * Cinder's top-level collections (including those Floe does not serve yet) and Floe's own: a first
 * path segment that names one of them is the project-less form `/v3/{collection}`, anything else is
 * a project id.
 */
export const COLLECTIONS: ReadonlySet<string> = new Set([
  'volumes', 'snapshots', 'backups', 'attachments', 'types', 'qos-specs', 'limits', 'messages',
  'os-quota-sets', 'os-quota-class-sets', 'os-availability-zone', 'os-services', 'os-hosts',
  'scheduler-stats', 'groups', 'group_types', 'group_snapshots', 'consistencygroups', 'cgsnapshots',
  'os-volume-transfer', 'volume-transfers', 'workers', 'clusters', 'manageable_volumes',
  'manageable_snapshots', 'os-volume-manage', 'os-snapshot-manage', 'resource_filters',
  'default-types', 'extensions', 'capabilities', 'os-backup-services', 'snapshots_manageable',
  'backup-repositories',
]);

export interface ScopedPath {
  readonly projectId?: string;
  /** The path with the project segment removed. */
  readonly url: string;
}

/** Splits `/p1/volumes/detail?x=1` into project `p1` and `/volumes/detail?x=1`. */
export function splitProject(url: string): ScopedPath {
  const match = /^\/([^/?]+)(.*)$/.exec(url);
  if (!match || COLLECTIONS.has(match[1]) || match[2] === '' || match[2].startsWith('?')) return { url };
  return { projectId: decodeURIComponent(match[1]), url: match[2] };
}

/**
 * Accepts `/v3/{project_id}/...` and `/v3/...` alike: strips the project from the URL so one set of
 * routes serves both, and refuses a project other than the token's as Cinder does.
 */
export const projectScopeMiddleware: RequestHandler = (req, res, next) => {
  const { projectId, url } = splitProject(req.url);
  if (projectId !== undefined && projectId !== requestContext(res).projectId) {
    throw new MalformedRequestUrlError();
  }
  requestState(res).urlProjectId = projectId;
  req.url = url;
  next();
};
