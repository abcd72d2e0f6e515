import type { Readable } from 'node:stream';
import pRetry from 'p-retry';
import { FloeError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  listAll,
  ObjectNotFoundError,
  RepositoryAccessError,
  type ByteRange,
  type LoadOptions,
  type ObjectHandle,
  type ObjectInfo,
  type ObjectKind,
  type OpOptions,
  type SaveOptions,
  type Repository,
  type StoreConcurrency,
} from './repository.js';

/** A repository call failed after its retries; names the repository the operator configured. */
export class RepositoryUnavailableError extends FloeError {
  readonly repository: string;

  constructor(repository: string, message: string, options?: { cause?: unknown }) {
    super('repository_unavailable', 503, message, options);
    this.repository = repository;
  }
}

export interface ResilienceOptions {
  /** The operator's name of the repository, and its type and place (no secrets): "offsite (sftp 10.0.0.5:22)". */
  readonly name: string;
  readonly description: string;
  /** Retries after the first failure (exponential backoff from minDelayMs). */
  readonly retries: number;
  readonly minDelayMs?: number;
  readonly log: Logger;
}

/**
 * Retries a store's failed calls with exponential backoff, except what a retry cannot fix (a
 * missing object, refused credentials or host key), and turns what still fails into an error that
 * names the repository. Saves can be retried because their body is re-created for each attempt.
 */
export class ResilientRepository implements Repository {
  /** Retried as a load is, up to the stream's opening: a stream that breaks later fails its reader. */
  readonly openRange?: Repository['openRange'];
  readonly #inner: Repository;
  readonly #options: ResilienceOptions;

  constructor(inner: Repository, options: ResilienceOptions) {
    this.#inner = inner;
    this.#options = options;
    const open = inner.openRange?.bind(inner);
    if (open) this.openRange = (h, range, o) => this.#retry(`load ${h.kind}/${h.name}`, () => open(h, range, o), o);
  }

  save(h: ObjectHandle, body: () => Readable, o?: SaveOptions): Promise<void> {
    return this.#retry(`save ${h.kind}/${h.name}`, () => this.#inner.save(h, body, o), o);
  }

  load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    return this.#retry(`load ${h.kind}/${h.name}`, () => this.#inner.load(h, range, o), o);
  }

  stat(h: ObjectHandle, o?: OpOptions): Promise<ObjectInfo> {
    return this.#retry(`stat ${h.kind}/${h.name}`, () => this.#inner.stat(h, o), o);
  }

  /** Listing restarts from the beginning on a retry; what was already yielded is not repeated. */
  async *list(kind: ObjectKind, o?: OpOptions): AsyncIterable<ObjectInfo> {
    const all = await this.#retry(`list ${kind}`, () => listAll(this.#inner, kind, o), o);
    yield* all;
  }

  remove(h: ObjectHandle, o?: OpOptions): Promise<void> {
    return this.#retry(`remove ${h.kind}/${h.name}`, () => this.#inner.remove(h, o), o);
  }

  removeTemporaries(kinds: readonly ObjectKind[], o?: OpOptions): Promise<number> {
    return this.#retry('remove temporaries', () => this.#inner.removeTemporaries(kinds, o), o);
  }

  get concurrency(): StoreConcurrency {
    return this.#inner.concurrency;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #retry<T>(call: string, run: () => Promise<T>, o?: OpOptions): Promise<T> {
    const { name, description, retries, log } = this.#options;
    try {
      return await pRetry(run, {
        retries,
        minTimeout: this.#options.minDelayMs ?? 500,
        factor: 2,
        randomize: true,
        signal: o?.signal,
        shouldRetry: ({ error }) => isTransient(error),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && isTransient(error)) {
            log.warn('repository call failed; retrying', { repository: name, call, attempt: attemptNumber, error: error.message });
          }
        },
      });
    } catch (err) {
      if (err instanceof ObjectNotFoundError || o?.signal?.aborted) throw err;
      if (err instanceof RepositoryAccessError) throw new RepositoryUnavailableError(name, `Backup repository ${description}: ${err.message}`, { cause: err });
      const attempts = isTransient(err) ? ` after ${retries + 1} attempts` : '';
      throw new RepositoryUnavailableError(name, `Backup repository ${description} failed${attempts} (${call}): ${(err as Error).message}`, { cause: err });
    }
  }
}

function isTransient(err: unknown): boolean {
  return !(err instanceof ObjectNotFoundError || err instanceof RepositoryAccessError);
}
