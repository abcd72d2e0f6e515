import type { BackupConfig } from '../../common/config.js';
import { mayUseRepository, type RepositoryDefinition } from '../../common/repository-config.js';

/** The configured repositories a project may use, in configuration order. */
export function usableRepositories(backup: BackupConfig, projectId: string): RepositoryDefinition[] {
  return backup.repositories.filter((r) => mayUseRepository(r, projectId));
}

/**
 * The repository of that name when the project may use it; undefined both when it is not configured
 * and when it belongs to other projects, so that callers cannot tell the two apart.
 */
export function usableRepository(backup: BackupConfig, projectId: string, name: string): RepositoryDefinition | undefined {
  return usableRepositories(backup, projectId).find((r) => r.name === name);
}
