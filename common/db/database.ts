import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import * as volumes0001 from './migrations/0001-volumes.js';
import * as serviceStopped0002 from './migrations/0002-service-stopped.js';
import * as backups0003 from './migrations/0003-backups.js';
import * as backupCopies0004 from './migrations/0004-backup-copies.js';
import type { Database } from './schema.js';
import { getLogger } from '../logger.js';

export type Db = Kysely<Database>;

const log = getLogger('db');

// Migrations are compiled into the program, so a deployment cannot run with a missing one.
const MIGRATIONS: Record<string, Migration> = {
  '0001-volumes': volumes0001,
  '0002-service-stopped': serviceStopped0002,
  '0003-backups': backups0003,
  '0004-backup-copies': backupCopies0004,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

// int8 (bigserial ids, counts) fits in a JS string without loss; keep pg's default for it.
export function openDatabase(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', (err) => log.warn('idle database connection failed', { error: err.message }));
  // The pool listens to its connections only while they are idle. One lost while checked out
  // between two queries (a transaction waiting on other work) would emit an 'error' nobody hears,
  // which crashes the process; heard here, its next query fails instead, and the pool drops it.
  pool.on('connect', (client) => client.on('error', (err) => log.debug('database connection failed', { error: err.message })));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Errors of a Node socket that could not reach the server or lost it. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
/** SQLSTATEs of a server that is going away or not taking connections: class 08 and these. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg says when a connection drops mid-query or a pool cannot open one in time. */
const LOST_CONNECTION_MESSAGE = /^Connection terminated|not queryable|timeout exceeded when trying to connect/;

/**
 * True when a query failed because the database could not be reached (down, restarting,
 * unreachable or dropping connections), not because of the query: trying again later may succeed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  return LOST_CONNECTION_MESSAGE.test(err.message);
}

/** Brings the schema to the latest version; safe when several processes start at once (kysely locks). */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info('applied migration', { migration: r.migrationName });
    if (r.status === 'Error') log.error('migration failed', { migration: r.migrationName });
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
