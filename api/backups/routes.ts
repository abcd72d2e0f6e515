import { Router, type Request, type Response } from 'express';
import { isAdmin } from '../../common/context.js';
import type { ApiDeps } from '../deps.js';
import { requestContext } from '../http/request-state.js';
import { bodyElement } from '../http/validate.js';
import { viewContext } from '../http/view-context.js';
import { runBackupAction } from './actions.js';
import { copiesOf } from './copies.js';
import { createBackup } from './create.js';
import { deleteBackup } from './delete.js';
import { countBackups, getBackup, listBackups, type BackupScope } from './queries.js';
import { restoreBackup } from './restore.js';
import { parseBackupListQuery, parseCreateBackup, parseRestoreBackup } from './schema.js';
import { backupDetail, backupList, backupSummary, restoreView } from './view.js';

/** Admins reach any project's backup by id, as in Cinder; everyone else only their own. */
function byIdScope(res: Response): BackupScope {
  const context = requestContext(res);
  return { projectId: context.projectId, allProjects: isAdmin(context) };
}

function listHandler(deps: ApiDeps, detail: boolean) {
  return async (req: Request, res: Response) => {
    const context = requestContext(res);
    const params = parseBackupListQuery(req.query, deps.config.api.maxLimit);
    const scope = { projectId: context.projectId, allProjects: isAdmin(context) && params.allTenants };
    const backups = await listBackups(deps.db, scope, params);
    const count = params.withCount ? await countBackups(deps.db, scope, params.filters) : undefined;
    const copies = detail ? await copiesOf(deps.db, backups.map((b) => b.id)) : undefined;
    const page = { limit: params.limit, originalUrl: req.originalUrl, count };
    res.json(backupList(backups, viewContext(req, res, deps.config), page, copies));
  };
}

/** `restore` may be missing or null in the body (cinderclient always sends it). */
function restoreElement(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'restore' in body ? bodyElement(body, 'restore') : undefined;
}

/** The backups controller (Cinder v3): list, detail, create, show, delete, restore and actions. */
export function backupsRouter(deps: ApiDeps): Router {
  const { db, config } = deps;
  const router = Router();
  router.get('/backups', listHandler(deps, false));
  router.get('/backups/detail', listHandler(deps, true));
  router.post('/backups', async (req, res) => {
    const input = parseCreateBackup(bodyElement(req.body, 'backup'));
    const backup = await createBackup(deps, requestContext(res), input);
    res.status(202).json({ backup: backupSummary(backup, viewContext(req, res, config)) });
  });
  router.get('/backups/:id', async (req, res) => {
    const backup = await getBackup(db, byIdScope(res), req.params.id);
    const copies = await copiesOf(db, [backup.id]);
    res.json({ backup: backupDetail(backup, viewContext(req, res, config), copies.get(backup.id) ?? []) });
  });
  router.delete('/backups/:id', async (req, res) => {
    await deleteBackup(deps, requestContext(res), byIdScope(res), req.params.id);
    res.status(202).end();
  });
  router.post('/backups/:id/restore', async (req, res) => {
    const input = parseRestoreBackup(restoreElement(req.body));
    const target = await restoreBackup(deps, requestContext(res), byIdScope(res), req.params.id, input);
    res.status(202).json(restoreView(req.params.id, target));
  });
  router.post('/backups/:id/action', async (req, res) => {
    const target = { deps, context: requestContext(res), scope: byIdScope(res), backupId: req.params.id };
    await runBackupAction(target, req.body);
    res.status(202).end();
  });
  return router;
}
