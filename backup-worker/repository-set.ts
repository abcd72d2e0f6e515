import { sql } from 'kysely';
import type { BackupConfig } from '../common/config.js';
import type { Db } from '../common/db/database.js';
import type { RepositoryState } from '../common/db/schema.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { RepositoryDefinition } from '../common/repository-config.js';
import { SingleFlight } from '../common/single-flight.js';
import { BackupRepository } from './engine/index.js';
import { describeRepository, openConfiguredStore } from './repositories/open.js';
import { RepositoryUnavailableError } from './repositories/resilient.js';
import { initOptionsFor } from './repository-init-options.js';
import { repositorySecret } from './repository-secret.js';

/** A repository as this worker holds it: opened, or the reason it is not, and the attempt running. */
interface Slot {
  readonly definition: RepositoryDefinition;
  readonly opening: SingleFlight<BackupRepository>;
  opened?: BackupRepository;
  /** The state last recorded, to log changes only (a heartbeat re-checks every few seconds). */
  state?: RepositoryState;
}

export interface RepositorySetOptions {
  readonly host: string;
  readonly log: Logger;
  /** First backoff delay of repository retries; tests shorten it. */
  readonly minRetryDelayMs?: number;
}

/**
 * The configured repositories of a backup worker. Each is opened (created on first use, with its
 * key) in the background at start-up, so one that is down does not hold the worker; its state
 * (available, or unavailable with the reason) goes to `backup_repositories` for the API. A
 * repository that could not be opened is tried again on `refresh` (each heartbeat) and at first use.
 */
export class RepositorySet {
  readonly #config: BackupConfig;
  readonly #db: Db;
  readonly #options: RepositorySetOptions;
  readonly #slots = new Map<string, Slot>();

  constructor(config: BackupConfig, db: Db, options: RepositorySetOptions) {
    this.#config = config;
    this.#db = db;
    this.#options = options;
    for (const definition of config.repositories) this.#slots.set(definition.name, { definition, opening: new SingleFlight() });
  }

  /** Starts opening every repository; resolves once each has been tried (and its state recorded). */
  async openAll(): Promise<void> {
    await Promise.allSettled([...this.#slots.values()].map((slot) => this.#open(slot)));
  }

  /** The opened repository, opening it now if it is not; RepositoryUnavailableError naming it otherwise. */
  async get(name: string): Promise<BackupRepository> {
    const slot = this.#slots.get(name);
    if (!slot) throw new RepositoryUnavailableError(name, `Backup repository ${name} is not configured on this backup worker.`);
    return slot.opened ?? this.#open(slot);
  }

  definition(name: string): RepositoryDefinition | undefined {
    return this.#slots.get(name)?.definition;
  }

  /** Tries again the repositories that are down, and checks that the others still answer. */
  async refresh(): Promise<void> {
    await Promise.allSettled(
      [...this.#slots.values()].map(async (slot) => {
        if (!slot.opened) return this.#open(slot);
        try {
          await slot.opened.probe();
          await this.#record(slot, 'available', null);
        } catch (err) {
          await this.#record(slot, 'unavailable', errorMessage(err));
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#slots.values()].map((slot) => slot.opened?.close()));
  }

  #open(slot: Slot): Promise<BackupRepository> {
    return slot.opening.run(() => this.#tryOpen(slot));
  }

  async #tryOpen(slot: Slot): Promise<BackupRepository> {
    const { definition } = slot;
    const { log } = this.#options;
    try {
      const store = await openConfiguredStore(definition, { retries: this.#config.retries, log, minRetryDelayMs: this.#options.minRetryDelayMs });
      const secret = await repositorySecret(definition.encryption, log);
      const repository = await BackupRepository.openOrInit(store, secret, initOptionsFor(definition)).catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      slot.opened = repository;
      await this.#record(slot, 'available', null);
      return repository;
    } catch (err) {
      const reason = err instanceof RepositoryUnavailableError ? err.message : `Backup repository ${describeRepository(definition)}: ${errorMessage(err)}`;
      await this.#record(slot, 'unavailable', reason).catch(() => undefined);
      throw new RepositoryUnavailableError(definition.name, reason, { cause: err });
    }
  }

  async #record(slot: Slot, state: RepositoryState, detail: string | null): Promise<void> {
    const { definition } = slot;
    if (slot.state !== state) {
      const fields = { repository: definition.name, type: definition.type };
      if (state === 'available') this.#options.log.info('backup repository available', fields);
      else this.#options.log.warn('backup repository unavailable', { ...fields, reason: detail });
      slot.state = state;
    }
    const row = { name: definition.name, type: definition.type, state, detail, host: this.#options.host, checked_at: sql<Date>`now()` };
    await this.#db
      .insertInto('backup_repositories')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ type: row.type, state, detail, host: row.host, checked_at: row.checked_at }))
      .execute();
  }
}
