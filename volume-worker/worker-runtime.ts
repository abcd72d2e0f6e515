import type { Db } from '../common/db/database.js';
import type { Logger } from '../common/logger.js';
import type { schedulerRpcClient } from '../rpc/scheduler-api.js';
import type { VolumeDriver } from './drivers/driver.js';

/** What the operations of one volume worker (one `host@backend`) work with. */
export interface WorkerRuntime {
  readonly db: Db;
  readonly driver: VolumeDriver;
  /** `host@backend`: the worker owns the volumes whose host is `host@backend#pool`. */
  readonly backendHost: string;
  /** config.scheduler.maxAttempts: how many backends a create may try. */
  readonly maxAttempts: number;
  readonly scheduler: ReturnType<typeof schedulerRpcClient>;
  /** Aborted when the service stops (ends its waits for the database). */
  readonly signal: AbortSignal;
  readonly log: Logger;
}
