import { Router } from 'express';
import { isAdmin } from '../../common/context.js';
import type { ApiDeps } from '../deps.js';
import { requestContext } from '../http/request-state.js';
import { defaultVolumeType, getVolumeType, listVolumeTypes } from './queries.js';
import { typeFilters } from './schema.js';
import { volumeTypeView } from './view.js';

/** `GET /types[?is_public=&name=]`, `GET /types/default`, `GET /types/{id}`. */
export function volumeTypesRouter({ db }: ApiDeps): Router {
  const router = Router();
  router.get('/types', async (req, res) => {
    const context = requestContext(res);
    const types = await listVolumeTypes(db, { admin: isAdmin(context) }, typeFilters(req.query, context));
    res.json({ volume_types: types.map(volumeTypeView) });
  });
  router.get('/types/default', async (_req, res) => {
    res.json({ volume_type: volumeTypeView(await defaultVolumeType(db)) });
  });
  router.get('/types/:id', async (req, res) => {
    const type = await getVolumeType(db, { admin: isAdmin(requestContext(res)) }, req.params.id);
    res.json({ volume_type: volumeTypeView(type) });
  });
  return router;
}
