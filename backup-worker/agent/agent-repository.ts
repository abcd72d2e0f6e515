import { InvalidInputError } from '../../common/errors.js';
import type { InitOptions, RepositorySecret } from '../engine/index.js';
import { openRepositoryStore, type Repository } from '../repositories/index.js';
import { resolveSecret, type SecretOptions } from './secret.js';

export interface AgentRepositoryOptions extends SecretOptions {
  /** A directory path or file:// URL. */
  readonly repo?: string;
  /** The name of a repository configured in FLOE_BACKUP_REPOSITORIES (any type, as the service uses it). */
  readonly repository?: string;
}

/**
 * The store and secret a floe-agent command works with: a directory given by --repo, or a
 * configured repository given by --repository (its credentials, encryption, retries and bandwidth
 * limit as the backup worker has them; --password-file, --key-file, FLOE_REPO_PASSWORD or
 * FLOE_REPO_KEY_FILE override its secret). A
 * configured repository that does not exist yet is created as the backup worker would create it.
 */
export async function agentRepository(o: AgentRepositoryOptions, env: NodeJS.ProcessEnv): Promise<{ store: Repository; secret: RepositorySecret; where: string; initOptions?: InitOptions }> {
  if ((o.repo === undefined) === (o.repository === undefined)) throw new InvalidInputError('give exactly one of --repo <path> and --repository <name>');
  if (o.repo !== undefined) return { store: openRepositoryStore(o.repo), secret: await resolveSecret(o, env), where: o.repo };
  // The service configuration (zod, the remote stores) is loaded only for --repository: it would
  // slow every plain --repo run's start.
  const [{ loadConfig }, { getLogger }, { openConfiguredStore }, { repositorySecret }, { initOptionsFor }] = await Promise.all([
    import('../../common/config.js'),
    import('../../common/logger.js'),
    import('../repositories/open.js'),
    import('../repository-secret.js'),
    import('../repository-init-options.js'),
  ]);
  const backup = loadConfig(env).backup;
  const definition = backup.repositories.find((r) => r.name === o.repository);
  if (!definition) throw new InvalidInputError(`repository ${o.repository} is not configured (FLOE_BACKUP_REPOSITORIES)`);
  const log = getLogger('floe-agent');
  const overridden = o.passwordFile !== undefined || o.keyFile !== undefined || Boolean(env.FLOE_REPO_PASSWORD) || Boolean(env.FLOE_REPO_KEY_FILE);
  // The secret first: a store opened before a missing secret file was found would keep its connection.
  const secret = overridden ? await resolveSecret(o, env) : await repositorySecret(definition.encryption, log);
  const store = await openConfiguredStore(definition, { retries: backup.retries, log });
  return { store, secret, where: `repository ${definition.name}`, initOptions: initOptionsFor(definition) };
}
