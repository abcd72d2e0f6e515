import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelModel, Options } from 'amqplib';
import { errorMessage } from '../common/errors.js';
import { getLogger } from '../common/logger.js';
import { backoffMs } from './backoff.js';
import type { BrokerConnection } from './broker-connection.js';
import { RpcUnavailableError } from './errors.js';
import { PublishChannel } from './publish-channel.js';
import { DIRECT_REPLY_TO, type Destination } from './topology.js';

const log = getLogger('rpc');

/** A request on the bus and the reply it awaits; `cancel` stops waiting (on timeout). */
export interface PendingRequest {
  readonly reply: Promise<Buffer>;
  cancel(): void;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes with publisher confirms over whatever connection is live. A publish that fails (no
 * connection, channel closed before the confirm, nack, unroutable) is retried until its time is up,
 * then rejects with RpcUnavailableError: never a silent drop. A retried publish may reach the broker
 * twice; handlers are idempotent.
 */
export class Publisher {
  readonly #connection: BrokerConnection;
  #current: { readonly model: ChannelModel; readonly channel: Promise<PublishChannel> } | null = null;

  constructor(connection: BrokerConnection) {
    this.#connection = connection;
  }

  async publish(action: string, destination: Destination, content: Buffer, options: Options.Publish, timeoutMs: number): Promise<void> {
    await this.#withChannel(action, timeoutMs, (channel) => channel.publish(destination, content, options));
  }

  /** Publishes a request with a direct reply-to address; resolves once the broker confirmed it. */
  async request(
    action: string,
    destination: Destination,
    content: Buffer,
    options: Options.Publish & { correlationId: string },
    timeoutMs: number,
  ): Promise<PendingRequest> {
    const { correlationId } = options;
    return this.#withChannel(action, timeoutMs, async (channel) => {
      const reply = channel.expectReply(correlationId);
      reply.catch(() => undefined); // a failed publish below is reported instead
      try {
        await channel.publish(destination, content, { ...options, replyTo: DIRECT_REPLY_TO });
      } catch (err) {
        channel.forgetReply(correlationId);
        throw err;
      }
      return { reply, cancel: () => channel.forgetReply(correlationId) };
    });
  }

  async #withChannel<T>(action: string, timeoutMs: number, fn: (channel: PublishChannel) => Promise<T>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      if (this.#connection.isClosed) throw new RpcUnavailableError(action, 'the RPC transport is closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new RpcUnavailableError(action, `not confirmed by the broker within ${timeoutMs} ms (${errorMessage(lastError)})`);
      }
      try {
        const model = await this.#connection.waitForModel(remaining);
        // The channel's opening counts too: on a connection gone silent it waits for the heartbeat.
        return await withTimeout(this.#channelOf(model).then(fn), remaining, 'no confirm from the broker');
      } catch (err) {
        lastError = err;
        log.debug('publish failed; retrying', { action, attempt, error: errorMessage(err) });
        await sleep(Math.min(backoffMs(attempt, 100, 2000), Math.max(0, deadline - Date.now())));
      }
    }
  }

  #channelOf(model: ChannelModel): Promise<PublishChannel> {
    if (this.#current?.model !== model) {
      const channel = PublishChannel.open(model, () => this.#forget(channel));
      channel.catch(() => this.#forget(channel));
      this.#current = { model, channel };
    }
    return this.#current.channel;
  }

  #forget(channel: Promise<PublishChannel>): void {
    if (this.#current?.channel === channel) this.#current = null;
  }
}
