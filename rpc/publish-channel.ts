import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { getLogger } from '../common/logger.js';
import { DIRECT_REPLY_TO, type Destination } from './topology.js';

const log = getLogger('rpc');

interface PendingReply {
  readonly resolve: (content: Buffer) => void;
  readonly reject: (err: Error) => void;
}

/**
 * One confirm channel of one connection: publishes and resolves once the broker confirmed, and
 * receives the direct replies to the calls published on it. When the channel closes, every
 * unconfirmed publish and every awaited reply on it rejects (amqplib fails pending confirms).
 */
export class PublishChannel {
  readonly #channel: ConfirmChannel;
  readonly #declared = new Set<string>();
  readonly #returned = new Set<string>();
  readonly #replies = new Map<string, PendingReply>();
  #open = true;

  private constructor(channel: ConfirmChannel) {
    this.#channel = channel;
  }

  static async open(model: ChannelModel, onClosed: () => void): Promise<PublishChannel> {
    const channel = await model.createConfirmChannel();
    const publisher = new PublishChannel(channel);
    channel.on('error', (err: Error) => log.warn('publish channel failed', { error: err.message }));
    channel.on('close', () => {
      publisher.#onClose();
      onClosed();
    });
    channel.on('return', (message: ConsumeMessage) => publisher.#returned.add(String(message.properties.messageId)));
    await channel.consume(DIRECT_REPLY_TO, (message) => message && publisher.#onReply(message), { noAck: true });
    return publisher;
  }

  /** Resolves once the broker confirmed the message; rejects on nack, return (unroutable) or close. */
  async publish(destination: Destination, content: Buffer, options: Options.Publish): Promise<void> {
    await this.#declare(destination);
    const messageId = String(options.messageId ?? randomUUID());
    await new Promise<void>((resolve, reject) => {
      const { exchange, routingKey, mandatory } = destination;
      this.#channel.publish(exchange, routingKey, content, { ...options, messageId, mandatory }, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(`the broker refused the message (${String(err)})`)) : resolve(),
      );
    });
    if (this.#returned.delete(messageId)) {
      if (destination.declaration) this.#declared.delete(destination.declaration.key);
      throw new Error(`no queue took the message for ${destination.routingKey}`);
    }
  }

  /** Registers for the reply to `correlationId` (before publishing the request on this channel). */
  expectReply(correlationId: string): Promise<Buffer> {
    if (!this.#open) return Promise.reject(new Error('the channel is closed'));
    return new Promise((resolve, reject) => this.#replies.set(correlationId, { resolve, reject }));
  }

  forgetReply(correlationId: string): void {
    this.#replies.delete(correlationId);
  }

  async #declare(destination: Destination): Promise<void> {
    const declaration = destination.declaration;
    if (!declaration || this.#declared.has(declaration.key)) return;
    await declaration.declare(this.#channel);
    this.#declared.add(declaration.key);
  }

  #onReply(message: ConsumeMessage): void {
    const correlationId = String(message.properties.correlationId);
    const pending = this.#replies.get(correlationId);
    this.#replies.delete(correlationId);
    pending?.resolve(message.content);
  }

  #onClose(): void {
    this.#open = false;
    const lost = new Error('the connection to the message bus was lost before the reply arrived');
    for (const pending of this.#replies.values()) pending.reject(lost);
    this.#replies.clear();
  }
}
