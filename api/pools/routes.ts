import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { requireAdmin } from '../http/policy.js';
import { queryBool } from '../http/query.js';
import { listServices, VOLUME_BINARY } from '../services/queries.js';
import { poolView } from './view.js';

/**
 * `GET /scheduler-stats/get_pools[?detail=True]`, admin only as in Cinder: the pools of the volume
 * services that are up, with the capabilities they last reported.
 */
export function poolsRouter({ config, db }: ApiDeps): Router {
  const router = Router();
  router.get('/scheduler-stats/get_pools', async (req, res) => {
    requireAdmin(res);
    const detail = queryBool(req.query, 'detail');
    const services = await listServices(db, config.serviceDownTimeMs, { binary: VOLUME_BINARY });
    res.json({ pools: services.filter((s) => s.is_up).map((s) => poolView(s, detail)) });
  });
  return router;
}
