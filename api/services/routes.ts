import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { requireAdmin } from '../http/policy.js';
import { queryString } from '../http/query.js';
import { viewContext } from '../http/view-context.js';
import { listServices } from './queries.js';
import { serviceView } from './view.js';

/** `GET /os-services[?host=&binary=]`, admin only as in Cinder. */
export function servicesRouter({ config, db }: ApiDeps): Router {
  const router = Router();
  router.get('/os-services', async (req, res) => {
    requireAdmin(res);
    const filters = { host: queryString(req.query, 'host'), binary: queryString(req.query, 'binary') };
    const services = await listServices(db, config.serviceDownTimeMs, filters);
    const view = viewContext(req, res, config);
    res.json({ services: services.map((s) => serviceView(s, view)) });
  });
  return router;
}
