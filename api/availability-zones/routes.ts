import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { listZones } from './queries.js';
import { zoneView } from './view.js';

/** `GET /os-availability-zone`. */
export function availabilityZonesRouter({ config, db }: ApiDeps): Router {
  const router = Router();
  router.get('/os-availability-zone', async (_req, res) => {
    const zones = await listZones(db, config);
    res.json({ availabilityZoneInfo: zones.map(zoneView) });
  });
  return router;
}
