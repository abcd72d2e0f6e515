import pRetry from 'p-retry';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDatabaseUnavailable } from './database.js';

/** A service that waits for its database: its stop, and where the waits are logged. */
export interface DatabaseWaiter {
  /** Aborted when the service stops. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * Runs `work` again for as long as it fails because the database cannot be reached (a restart, a
 * lost connection), waiting 0.5 s, then twice as long each time up to 10 s. Once the service is
 * stopping, a try that fails is the last (the try itself still runs, so that an operation ended by
 * the stop records how). `work` must be safe to run again, as a redelivery of its request would
 * run it. A worker wraps its requests' handlers in it, holding the message meanwhile: redelivered
 * instead, a request is dead-lettered within seconds, and its dead letter cannot mark its resource
 * failed while the database is down either, which would leave the resource transitional.
 */
export function untilDatabaseAnswers<T>(waiter: DatabaseWaiter, subject: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return pRetry(work, {
    retries: Infinity,
    minTimeout: 500,
    maxTimeout: 10_000,
    factor: 2,
    shouldRetry: ({ error }) => isDatabaseUnavailable(error) && !waiter.signal.aborted,
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (isDatabaseUnavailable(error) && !waiter.signal.aborted) {
        waiter.log.warn('the database cannot be reached; waiting for it', { ...subject, attempt: attemptNumber, error: errorMessage(error) });
      }
    },
  });
}
