import type { FloeConfig } from '../common/config.js';
import type { Db } from '../common/db/database.js';
import type { Logger } from '../common/logger.js';
import type { RepositorySet } from './repository-set.js';
import type { RunningOperations } from './running-operations.js';

/** What the operations of one backup worker work with. */
export interface BackupRuntime {
  readonly config: FloeConfig;
  readonly db: Db;
  /** The configured repositories (config.backup), opened on demand. */
  readonly repositories: RepositorySet;
  /** config.host: a running backup or restore carries it in `backups.host`. */
  readonly host: string;
  /** Aborted when the service stops: running backups and restores end (as failed) instead of holding the shutdown. */
  readonly signal: AbortSignal;
  /** The backups this process runs an operation on (see running-operations.ts). */
  readonly running: RunningOperations;
  readonly log: Logger;
}
