import { Router } from 'express';
import type { RepositoryDefinition } from '../../common/repository-config.js';
import { NotFoundError } from '../../common/errors.js';
import type { ApiDeps } from '../deps.js';
import { requestContext } from '../http/request-state.js';
import { repositoryReports } from './queries.js';
import { usableRepositories, usableRepository } from './usable.js';
import { backupRepositoryView } from './view.js';

/**
 * Floe extension: `GET /backup-repositories` and `GET /backup-repositories/{name}`, the configured
 * backup repositories the project may use, with their state as the backup workers last found it.
 */
export function backupRepositoriesRouter({ config, db }: ApiDeps): Router {
  const router = Router();
  const views = async (definitions: readonly RepositoryDefinition[]) => {
    const reports = await repositoryReports(db, definitions.map((d) => d.name), config.serviceDownTimeMs);
    return definitions.map((d) => backupRepositoryView(d, reports.get(d.name), config.backup.defaultRepository));
  };
  router.get('/backup-repositories', async (_req, res) => {
    res.json({ backup_repositories: await views(usableRepositories(config.backup, requestContext(res).projectId)) });
  });
  router.get('/backup-repositories/:name', async (req, res) => {
    const definition = usableRepository(config.backup, requestContext(res).projectId, req.params.name);
    if (!definition) throw new NotFoundError('Backup repository', req.params.name);
    const [view] = await views([definition]);
    res.json({ backup_repository: view });
  });
  return router;
}
