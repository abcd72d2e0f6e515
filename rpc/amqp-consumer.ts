import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { errorMessage } from '../common/errors.js';
import { getLogger } from '../common/logger.js';
import { closeSafely } from './close-safely.js';
import { Delivery } from './delivery.js';
import type { Consumer } from './transport.js';

const log = getLogger('rpc');

/** Pause before subscribing again after the broker cancelled a consumer or closed its channel. */
const RESUBSCRIBE_DELAY_MS = 1000;

/** The queue a consumer reads, declared again on every connection. */
export interface QueueSource {
  /** Topic or exchange, for logs and errors. */
  readonly name: string;
  /** Declares the queue (and its bindings) and returns its name. */
  declare(channel: Channel): Promise<string>;
}

export interface AmqpConsumerOptions {
  readonly source: QueueSource;
  readonly prefetch: number;
  /** Settles the delivery (ack, requeue); never rejects for a handler's failure. */
  readonly process: (delivery: Delivery) => Promise<void>;
  /** The live connection, to subscribe again when a channel closed while the connection stayed up. */
  readonly currentModel: () => ChannelModel | null;
  readonly onStopped: () => void;
}

/**
 * A consumer that outlives connections: it subscribes on its own channel (with the prefetch limit)
 * on every connection it is attached to, and tracks the handlers it has running so that `stop()`
 * can let them finish.
 */
export class AmqpConsumer implements Consumer {
  readonly #options: AmqpConsumerOptions;
  readonly #inFlight = new Set<Promise<void>>();
  #attached: { readonly model: ChannelModel; readonly ready: Promise<void> } | null = null;
  #subscription: { readonly channel: Channel; readonly consumerTag: string } | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: AmqpConsumerOptions) {
    this.#options = options;
  }

  /** Subscribes on `model` (once per connection); rejects when the queue cannot be consumed. */
  attach(model: ChannelModel): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    if (this.#attached?.model !== model) {
      const ready = this.#subscribe(model);
      this.#attached = { model, ready };
      ready.catch(() => {
        if (this.#attached?.ready === ready) this.#attached = null;
      });
    }
    return this.#attached.ready;
  }

  /** As attach, for a reconnect: a failure is logged and retried instead of failing the connection. */
  async resume(model: ChannelModel): Promise<void> {
    try {
      await this.attach(model);
    } catch (err) {
      log.error('could not consume; retrying', { queue: this.#options.source.name, error: errorMessage(err) });
      this.#resubscribeLater(model);
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    await this.#attached?.ready.catch(() => undefined);
    const subscription = this.#subscription;
    if (subscription) await subscription.channel.cancel(subscription.consumerTag).catch(() => undefined);
    await Promise.all(this.#inFlight);
    if (subscription) await closeSafely(subscription.channel);
    this.#options.onStopped();
  }

  async #subscribe(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => log.warn('consumer channel failed', { queue: this.#options.source.name, error: err.message }));
    channel.on('close', () => this.#onChannelClosed(channel, model));
    try {
      await channel.prefetch(this.#options.prefetch);
      const queue = await this.#options.source.declare(channel);
      const { consumerTag } = await channel.consume(queue, (message) => this.#onMessage(channel, message));
      this.#subscription = { channel, consumerTag };
    } catch (err) {
      await closeSafely(channel);
      throw err;
    }
  }

  #onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (!message) return this.#onCancelledByBroker(channel);
    const delivery = new Delivery(channel, message);
    const work: Promise<void> = this.#options
      .process(delivery)
      .catch((err: unknown) => {
        log.error('message processing failed; requeueing it', { queue: this.#options.source.name, error: errorMessage(err) });
        delivery.requeue();
      })
      .finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
  }

  /** The queue was deleted (or failed over): close the channel, which subscribes again. */
  #onCancelledByBroker(channel: Channel): void {
    log.warn('the broker cancelled the consumer; subscribing again', { queue: this.#options.source.name });
    void closeSafely(channel);
  }

  #onChannelClosed(channel: Channel, model: ChannelModel): void {
    if (this.#subscription?.channel !== channel) return;
    this.#subscription = null;
    if (this.#attached?.model === model) this.#attached = null;
    if (!this.#stopping) this.#resubscribeLater(model);
  }

  /** Subscribes again if the connection is still the live one; a new connection attaches by itself. */
  #resubscribeLater(model: ChannelModel): void {
    setTimeout(() => {
      if (this.#stopping || this.#attached || this.#options.currentModel() !== model) return;
      void this.resume(model);
    }, RESUBSCRIBE_DELAY_MS).unref();
  }
}
