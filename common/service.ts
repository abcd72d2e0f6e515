import type { FloeConfig } from './config.js';
import type { Db } from './db/database.js';

/** A started service; `stop()` lets in-flight work finish (or be requeued) and releases resources. */
export interface RunningService {
  readonly name: string;
  stop(): Promise<void>;
}

/** What every service receives from its entry point (bin/). */
export interface ServiceDeps {
  readonly config: FloeConfig;
  readonly db: Db;
}
