import { Router, type Request, type Response } from 'express';
import { isAdmin } from '../../common/context.js';
import type { ApiDeps } from '../deps.js';
import { requestContext } from '../http/request-state.js';
import { bodyElement } from '../http/validate.js';
import { viewContext } from '../http/view-context.js';
import { runVolumeAction } from './actions.js';
import { createVolume } from './create.js';
import { deleteVolume } from './delete.js';
import { countVolumes, getVolume, listVolumes, type VolumeScope } from './queries.js';
import { parseCreateVolume, parseUpdateVolume, parseVolumeListQuery } from './schema.js';
import { updateVolume } from './update.js';
import { volumeDetail, volumeList } from './view.js';

/** Admins reach any project's volume by id, as in Cinder; everyone else only their own. */
function byIdScope(res: Response): VolumeScope {
  const context = requestContext(res);
  return { projectId: context.projectId, allProjects: isAdmin(context) };
}

function listHandler(deps: ApiDeps, detail: boolean) {
  return async (req: Request, res: Response) => {
    const context = requestContext(res);
    const params = parseVolumeListQuery(req.query, deps.config.api.maxLimit);
    const scope = { projectId: context.projectId, allProjects: isAdmin(context) && params.allTenants };
    const volumes = await listVolumes(deps.db, scope, params);
    const count = params.withCount ? await countVolumes(deps.db, scope, params.filters) : undefined;
    const page = { limit: params.limit, originalUrl: req.originalUrl, count };
    res.json(volumeList(volumes, viewContext(req, res, deps.config), page, detail));
  };
}

/** The volumes controller: list, detail, create, show, update, delete and actions. */
export function volumesRouter(deps: ApiDeps): Router {
  const { db, config } = deps;
  const router = Router();
  router.get('/volumes', listHandler(deps, false));
  router.get('/volumes/detail', listHandler(deps, true));
  router.post('/volumes', async (req, res) => {
    const input = parseCreateVolume(bodyElement(req.body, 'volume'));
    const volume = await createVolume(deps, requestContext(res), input);
    res.status(202).json({ volume: volumeDetail(volume, viewContext(req, res, config)) });
  });
  router.get('/volumes/:id', async (req, res) => {
    const volume = await getVolume(db, byIdScope(res), req.params.id);
    res.json({ volume: volumeDetail(volume, viewContext(req, res, config)) });
  });
  router.put('/volumes/:id', async (req, res) => {
    const input = parseUpdateVolume(bodyElement(req.body, 'volume'));
    const volume = await updateVolume(db, byIdScope(res), req.params.id, input);
    res.json({ volume: volumeDetail(volume, viewContext(req, res, config)) });
  });
  router.delete('/volumes/:id', async (req, res) => {
    await deleteVolume(deps, requestContext(res), byIdScope(res), req.params.id);
    res.status(202).end();
  });
  router.post('/volumes/:id/action', async (req, res) => {
    const target = { deps, context: requestContext(res), scope: byIdScope(res), volumeId: req.params.id };
    await runVolumeAction(target, req.body);
    res.status(202).end();
  });
  return router;
}
