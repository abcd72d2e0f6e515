import type { Channel, ConsumeMessage } from 'amqplib';
import { getLogger } from '../common/logger.js';

const log = getLogger('rpc');

/**
 * One message handed to this process, with the channel it must be settled on. Settling after the
 * channel closed is a no-op: the broker has already put the message back for another consumer.
 */
export class Delivery {
  readonly message: ConsumeMessage;
  readonly #channel: Channel;

  constructor(channel: Channel, message: ConsumeMessage) {
    this.#channel = channel;
    this.message = message;
  }

  /** 1 on the first delivery; quorum queues count every earlier delivery that was not acked. */
  get attempt(): number {
    const count = Number(this.message.properties.headers?.['x-delivery-count'] ?? 0);
    return (Number.isFinite(count) ? count : 0) + 1;
  }

  /** Where a `call` wants its reply; undefined for a cast. */
  get replyTo(): string | undefined {
    const replyTo: unknown = this.message.properties.replyTo;
    return typeof replyTo === 'string' && replyTo !== '' ? replyTo : undefined;
  }

  get correlationId(): string | undefined {
    const id: unknown = this.message.properties.correlationId;
    return typeof id === 'string' ? id : undefined;
  }

  ack(): void {
    this.#settle('ack', () => this.#channel.ack(this.message));
  }

  /** Puts the message back in its queue for another attempt. */
  requeue(): void {
    this.#settle('requeue', () => this.#channel.nack(this.message, false, true));
  }

  #settle(what: string, settle: () => void): void {
    try {
      settle();
    } catch (err) {
      log.debug('could not settle a message; the broker redelivers it', { what, error: (err as Error).message });
    }
  }
}
