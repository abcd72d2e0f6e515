import express, { Router, type RequestHandler } from 'express';
import type { FloeConfig } from '../common/config.js';
import { availabilityZonesRouter } from './availability-zones/routes.js';
import { backupRepositoriesRouter } from './backup-repositories/routes.js';
import { backupsRouter } from './backups/routes.js';
import type { ApiDeps } from './deps.js';
import { messagesRouter } from './messages/routes.js';
import { accessLogMiddleware } from './middleware/access-log.js';
import { noauthMiddleware } from './middleware/auth.js';
import { jsonBody } from './middleware/body.js';
import { errorRenderer, notFoundHandler } from './middleware/errors.js';
import { microversionMiddleware } from './middleware/microversion.js';
import { projectScopeMiddleware } from './middleware/project-scope.js';
import { requestIdMiddleware } from './middleware/request-id.js';
import { poolsRouter } from './pools/routes.js';
import { servicesRouter } from './services/routes.js';
import { versionsHandler } from './versions/routes.js';
import { volumeTypesRouter } from './volume-types/routes.js';
import { volumesRouter } from './volumes/routes.js';

const AUTH: Readonly<Record<FloeConfig['api']['authStrategy'], RequestHandler>> = {
  noauth: noauthMiddleware,
};

const RESOURCES: readonly ((deps: ApiDeps) => Router)[] = [
  volumesRouter,
  backupsRouter,
  backupRepositoriesRouter,
  volumeTypesRouter,
  messagesRouter,
  availabilityZonesRouter,
  servicesRouter,
  poolsRouter,
];

/** `/v3`: its version document without auth, then auth, project scope, microversion, body, resources. */
function v3Router(deps: ApiDeps): Router {
  const { config } = deps;
  const router = Router();
  router.get('/', versionsHandler(config, 200));
  router.use(AUTH[config.api.authStrategy], projectScopeMiddleware, microversionMiddleware);
  router.use(jsonBody(config.api.maxBodyBytes));
  for (const resource of RESOURCES) router.use(resource(deps));
  return router;
}

/** The Cinder v3 compatible REST API. */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestIdMiddleware, accessLogMiddleware);
  app.get('/', versionsHandler(deps.config, 300));
  app.use('/v3', v3Router(deps));
  app.use(notFoundHandler);
  app.use(errorRenderer);
  return app;
}
