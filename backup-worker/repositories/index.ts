import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '../../common/errors.js';
import { LocalRepository } from './local.js';
import type { Repository } from './repository.js';

export * from './repository.js';
export { LocalRepository } from './local.js';
export { MemoryRepository } from './memory.js';

/** Opens the store a repository URL names: a plain path or file:///path (a local directory). */
export function openRepositoryStore(url: string): Repository {
  if (url.startsWith('file://')) return new LocalRepository(fileURLToPath(url));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new InvalidInputError(`repository URL scheme not supported: ${url.split("://")[0]} (configure the repository in FLOE_BACKUP_REPOSITORIES and name it with --repository)`);
  }
  return new LocalRepository(resolve(url));
}
