import { setTimeout as sleep } from 'node:timers/promises';
import { runWithContext } from '../common/context.js';
import { errorMessage } from '../common/errors.js';
import { getLogger } from '../common/logger.js';
import { backoffMs } from './backoff.js';
import type { Delivery } from './delivery.js';
import { decodeEnvelope, encodeReply, errorReply, resultReply } from './envelope.js';
import { isPermanentFailure } from './errors.js';
import { invokeHandler } from './handlers.js';
import type { Publisher } from './publisher.js';
import { replyAddress, workQueue } from './topology.js';
import type { Envelope, HandlerMap, ServeOptions } from './transport.js';

const log = getLogger('rpc');

export interface WorkDispatcherOptions {
  readonly topic: string;
  readonly handlers: HandlerMap;
  readonly maxAttempts: number;
  readonly deadLetterQueue: string;
  /** How long replies and dead letters may wait for the broker. */
  readonly publishTimeoutMs: number;
  readonly publisher: Publisher;
  readonly onDeadLetter?: ServeOptions['onDeadLetter'];
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * What a work queue does with each message: a cast is acked once its handler finished, requeued
 * after a failure (short backoff) and dead-lettered after `maxAttempts`; a call is answered with the
 * result or the error and never retried. A message that cannot be parsed is dead-lettered at once.
 */
export class WorkDispatcher {
  readonly #options: WorkDispatcherOptions;

  constructor(options: WorkDispatcherOptions) {
    this.#options = options;
  }

  async process(delivery: Delivery): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(delivery.message.content);
    } catch (err) {
      return this.#deadLetter(delivery, null, toError(err));
    }
    const replyTo = delivery.replyTo;
    await runWithContext(envelope.context, () =>
      replyTo ? this.#answer(delivery, envelope, replyTo) : this.#perform(delivery, envelope),
    );
  }

  async #perform(delivery: Delivery, envelope: Envelope): Promise<void> {
    const { topic, handlers, maxAttempts } = this.#options;
    if (delivery.attempt > maxAttempts) {
      const error = new Error(`gave up after ${maxAttempts} deliveries: each time the consumer stopped before finishing`);
      return this.#deadLetter(delivery, envelope, error);
    }
    try {
      await invokeHandler(topic, handlers, envelope);
      delivery.ack();
    } catch (err) {
      await this.#failed(delivery, envelope, toError(err));
    }
  }

  async #failed(delivery: Delivery, envelope: Envelope, error: Error): Promise<void> {
    const { topic, maxAttempts } = this.#options;
    if (delivery.attempt >= maxAttempts || isPermanentFailure(error)) return this.#deadLetter(delivery, envelope, error);
    log.warn('handler failed; the message will be retried', {
      topic, method: envelope.method, attempt: delivery.attempt, maxAttempts, error: error.message,
    });
    await sleep(backoffMs(delivery.attempt, 250, 5000));
    delivery.requeue();
  }

  async #answer(delivery: Delivery, envelope: Envelope, replyTo: string): Promise<void> {
    const { topic, handlers, publisher, publishTimeoutMs } = this.#options;
    const reply = await invokeHandler(topic, handlers, envelope).then(resultReply, (err: unknown) => {
      log.warn('call handler failed', { topic, method: envelope.method, error: errorMessage(err) });
      return errorReply(err);
    });
    const action = `reply to ${envelope.method} from ${topic}`;
    const properties = { correlationId: delivery.correlationId, contentType: 'application/json', persistent: false };
    await publisher
      .publish(action, replyAddress(replyTo), encodeReply(reply), properties, publishTimeoutMs)
      .catch((err: unknown) => log.warn('could not send a reply', { topic, method: envelope.method, error: errorMessage(err) }));
    delivery.ack();
  }

  async #deadLetter(delivery: Delivery, envelope: Envelope | null, error: Error): Promise<void> {
    const { topic, deadLetterQueue, publisher, publishTimeoutMs } = this.#options;
    const method = envelope?.method;
    const headers = {
      'x-floe-topic': topic,
      'x-floe-error': error.message,
      'x-floe-attempts': delivery.attempt,
      'x-floe-dead-lettered-at': new Date().toISOString(),
    };
    try {
      const action = `dead-letter a message from ${topic}`;
      await publisher.publish(action, workQueue(deadLetterQueue), delivery.message.content, { persistent: true, headers }, publishTimeoutMs);
    } catch (err) {
      log.error('could not dead-letter a message; it stays in its queue', { topic, method, error: errorMessage(err) });
      return delivery.requeue();
    }
    log.error('message dead-lettered', { topic, method, attempts: delivery.attempt, queue: deadLetterQueue, error: error.message });
    if (envelope) await this.#notifyDeadLetter(envelope, error);
    delivery.ack();
  }

  async #notifyDeadLetter(envelope: Envelope, error: Error): Promise<void> {
    try {
      await this.#options.onDeadLetter?.(envelope, error);
    } catch (err) {
      log.error('onDeadLetter failed', { topic: this.#options.topic, method: envelope.method, error: errorMessage(err) });
    }
  }
}
