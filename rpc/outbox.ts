import { sql, type Kysely, type Updateable } from 'kysely';
import { runWithContext, serviceContext, type RequestContext } from '../common/context.js';
import type { Db } from '../common/db/database.js';
import type { Database, OutboxTable } from '../common/db/schema.js';
import { errorMessage } from '../common/errors.js';
import { newRequestId } from '../common/ids.js';
import { getLogger } from '../common/logger.js';
import { backoffMs } from './backoff.js';
import { makeEnvelope, parseEnvelope } from './envelope.js';
import type { Envelope, RpcTransport } from './transport.js';

const log = getLogger('rpc');

/** Rows claimed per query; they are published concurrently (publisher confirms pipeline). */
const BATCH_SIZE = 50;
const DEFAULT_POLL_INTERVAL_MS = 1000;
/**
 * A claimed row is left to its relay this long; if that process died, another relay takes it over.
 * Short, because a dead API's accepted requests wait this long; a live relay still publishing past it
 * (broker down) may cause a duplicate publish, which the handlers' status guards make harmless.
 */
const DEFAULT_LEASE_MS = 10_000;
const MAX_RETRY_DELAY_MS = 30_000;

export type OutboxResource = { readonly kind: string; readonly id: string };

/** Told about a request that could not be handed to the broker before the deadline (mark it `error`). */
export interface UndeliverableHandler {
  (resource: OutboxResource | null, reason: string, context: RequestContext): Promise<void>;
}

export interface OutboxOptions {
  /** Give up on a row this long after it was enqueued. */
  readonly publishDeadlineMs: number;
  readonly pollIntervalMs?: number;
  /** How long a relay owns the rows it claimed before another relay may take them over. */
  readonly leaseMs?: number;
  readonly onUndeliverable: UndeliverableHandler;
}

interface ClaimedRow {
  readonly id: string;
  readonly routing_key: string;
  readonly envelope: unknown;
  readonly resource_kind: string | null;
  readonly resource_id: string | null;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly expired: boolean;
}

/** What the schema lets next_attempt_at be set to. */
type NextAttemptAt = NonNullable<Updateable<OutboxTable>['next_attempt_at']>;

function fromNow(ms: number) {
  return sql<NextAttemptAt>`now() + make_interval(secs => ${ms / 1000})`;
}

function resourceOf(row: ClaimedRow): OutboxResource | null {
  return row.resource_kind && row.resource_id ? { kind: row.resource_kind, id: row.resource_id } : null;
}

/**
 * Transactional outbox: a cast is written in the caller's transaction and relayed to the broker
 * after commit, so a request the API accepted survives a broker outage or an API crash. Rows are
 * deleted only after the broker confirmed them (a crash in between publishes twice, which idempotent
 * handlers tolerate); a row still unpublished after `publishDeadlineMs` is handed to onUndeliverable.
 */
export class Outbox {
  readonly #db: Db;
  readonly #transport: RpcTransport;
  readonly #options: OutboxOptions;
  #timer: NodeJS.Timeout | null = null;
  #relaying: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(db: Db, transport: RpcTransport, options: OutboxOptions) {
    this.#db = db;
    this.#transport = transport;
    this.#options = options;
  }

  /** Call inside the caller's DB transaction (trx may be a Kysely Transaction<Database> or the Db). */
  async enqueueCast(
    trx: Kysely<Database>, topic: string, method: string, args: unknown, context: RequestContext,
    options: { resource?: OutboxResource; version?: string } = {},
  ): Promise<void> {
    const envelope = makeEnvelope(method, args, context, options.version);
    await trx
      .insertInto('outbox')
      .values({
        exchange: '',
        routing_key: topic,
        envelope: JSON.stringify(envelope),
        resource_kind: options.resource?.kind ?? null,
        resource_id: options.resource?.id ?? null,
      })
      .execute();
  }

  /** Ask the relay to publish now (call after the transaction commits). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#relaying) {
      this.#again = true;
      return;
    }
    this.#relaying = this.#relayUntilIdle().finally(() => {
      this.#relaying = null;
    });
  }

  /** Relays due rows every pollIntervalMs (and at once). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.kick(), this.#options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    this.kick();
  }

  /** Stops polling and waits for an in-flight relay pass. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#relaying;
  }

  async #relayUntilIdle(): Promise<void> {
    do {
      this.#again = false;
      try {
        while ((await this.#relayBatch()) === BATCH_SIZE && !this.#stopped);
      } catch (err) {
        log.error('outbox relay failed', { error: errorMessage(err) });
      }
    } while (this.#again && !this.#stopped);
  }

  /** Claims up to BATCH_SIZE due rows and relays them; returns how many it claimed. */
  async #relayBatch(): Promise<number> {
    const rows = await this.#claim();
    const relayed = rows.map((row) =>
      this.#relay(row).catch((err: unknown) => {
        // The row keeps its lease and is relayed again when it runs out.
        log.error('outbox relay of a request failed', { topic: row.routing_key, error: errorMessage(err) });
      }),
    );
    await Promise.all(relayed);
    return rows.length;
  }

  /** Due rows, locked against other relays for the lease (SKIP LOCKED: relays never wait for each other). */
  async #claim(): Promise<ClaimedRow[]> {
    const { leaseMs = DEFAULT_LEASE_MS, publishDeadlineMs } = this.#options;
    return this.#db
      .updateTable('outbox')
      .set({ attempts: sql`attempts + 1`, next_attempt_at: fromNow(leaseMs) })
      .where('id', 'in', (eb) =>
        eb.selectFrom('outbox').select('id').where(sql<boolean>`next_attempt_at <= now()`)
          .orderBy('id').limit(BATCH_SIZE).forUpdate().skipLocked(),
      )
      .returning([
        'id', 'routing_key', 'envelope', 'resource_kind', 'resource_id', 'attempts', 'last_error',
        sql<boolean>`created_at < now() - make_interval(secs => ${publishDeadlineMs / 1000})`.as('expired'),
      ])
      .execute();
  }

  async #relay(row: ClaimedRow): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(row.envelope);
    } catch (err) {
      return this.#giveUp(row, `The stored request is malformed: ${errorMessage(err)}`, serviceContext(newRequestId()));
    }
    if (row.expired) return this.#giveUp(row, this.#expiryReason(row), envelope.context);
    await runWithContext(envelope.context, () => this.#publish(row, envelope));
  }

  async #publish(row: ClaimedRow, envelope: Envelope): Promise<void> {
    try {
      await this.#transport.cast(row.routing_key, envelope.method, envelope.args, envelope.context, envelope.version);
    } catch (err) {
      return this.#retryLater(row, envelope, errorMessage(err));
    }
    await this.#db.deleteFrom('outbox').where('id', '=', row.id).execute();
  }

  async #retryLater(row: ClaimedRow, envelope: Envelope, error: string): Promise<void> {
    const delayMs = this.#retryDelayMs(row);
    log.error('could not hand a request to the message bus; will retry', {
      topic: row.routing_key, method: envelope.method, attempts: row.attempts, retryInMs: delayMs, error,
    });
    await this.#db
      .updateTable('outbox')
      .set({ last_error: error, next_attempt_at: fromNow(delayMs) })
      .where('id', '=', row.id)
      .execute();
  }

  #retryDelayMs(row: ClaimedRow): number {
    return backoffMs(row.attempts, this.#options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, MAX_RETRY_DELAY_MS);
  }

  #expiryReason(row: ClaimedRow): string {
    const deadlineS = this.#options.publishDeadlineMs / 1000;
    const cause = row.last_error ?? 'no relay got to it in time';
    return `The request could not be handed to ${row.routing_key} within ${deadlineS} s: ${cause}`;
  }

  /** Tells the owner of the request, then drops the row (kept for another try if the owner failed). */
  async #giveUp(row: ClaimedRow, reason: string, context: RequestContext): Promise<void> {
    await runWithContext(context, async () => {
      log.error('outbox request undeliverable; giving up', { topic: row.routing_key, attempts: row.attempts, reason });
      try {
        await this.#options.onUndeliverable(resourceOf(row), reason, context);
      } catch (err) {
        const delayMs = this.#retryDelayMs(row);
        log.error('onUndeliverable failed; will tell it again', { retryInMs: delayMs, error: errorMessage(err) });
        await this.#db.updateTable('outbox').set({ next_attempt_at: fromNow(delayMs) }).where('id', '=', row.id).execute();
        return;
      }
      await this.#db.deleteFrom('outbox').where('id', '=', row.id).execute();
    });
  }
}
