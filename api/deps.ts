import type { Kysely } from 'kysely';
import type { FloeConfig } from '../common/config.js';
import type { RequestContext } from '../common/context.js';
import type { Db } from '../common/db/database.js';
import type { Database } from '../common/db/schema.js';

export interface CastOptions {
  readonly resource?: { readonly kind: string; readonly id: string };
  readonly version?: string;
}

/**
 * The part of the transactional outbox (rpc/outbox.ts) the API uses: a cast is written in the same
 * transaction as the row it concerns, and `kick()` after commit asks the relay to publish it now.
 */
export interface CastOutbox {
  enqueueCast(
    trx: Kysely<Database>,
    topic: string,
    method: string,
    args: unknown,
    context: RequestContext,
    options?: CastOptions,
  ): Promise<void>;
  kick(): void;
}

export interface ApiDeps {
  readonly config: FloeConfig;
  readonly db: Db;
  readonly outbox: CastOutbox;
}
