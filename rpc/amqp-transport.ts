import { randomUUID } from 'node:crypto';
import type { ChannelModel, Options } from 'amqplib';
import type { RequestContext } from '../common/context.js';
import { RpcTimeoutError, errorMessage } from '../common/errors.js';
import { AmqpConsumer, type QueueSource } from './amqp-consumer.js';
import { broadcastDispatcher } from './broadcast-dispatcher.js';
import { BrokerConnection } from './broker-connection.js';
import type { Delivery } from './delivery.js';
import { encodeEnvelope, makeEnvelope, unpackReply } from './envelope.js';
import { RpcUnavailableError } from './errors.js';
import { Publisher, type PendingRequest } from './publisher.js';
import {
  DEAD_LETTER_QUEUE, declareSubscriberQueue, declareWorkQueue, fanoutExchange, workQueue, type Destination,
} from './topology.js';
import type { Consumer, Envelope, HandlerMap, RpcTransport, ServeOptions } from './transport.js';
import { WorkDispatcher } from './work-dispatcher.js';

/** FloeConfig.rpc, plus what only tests change. */
export interface RpcOptions {
  /** Messages a consumer may hold unacknowledged (its concurrency). */
  readonly prefetch: number;
  /** Default `call` timeout; also how long a publish waits for the broker (and connectRpc for the first connection). */
  readonly callTimeoutMs: number;
  /** Deliveries of a cast before it is dead-lettered. */
  readonly maxAttempts: number;
  /** Shown by `rabbitmqctl list_connections client_properties`. */
  readonly connectionName?: string;
  /** Default `floe-dead-letter`. */
  readonly deadLetterQueue?: string;
}

function publishProperties(envelope: Envelope): Options.Publish {
  return {
    contentType: 'application/json',
    messageId: randomUUID(),
    type: envelope.method,
    appId: 'floe',
    timestamp: Math.floor(Date.now() / 1000),
  };
}

/** Waits for a call's reply for at most `timeoutMs`; a lost channel becomes RpcUnavailableError. */
async function awaitReply(request: PendingRequest, timeoutMs: number, action: string, onTimeout: () => Error): Promise<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      request.cancel();
      reject(onTimeout());
    }, Math.max(0, timeoutMs));
  });
  const reply = request.reply.catch((err: unknown) => {
    throw new RpcUnavailableError(action, errorMessage(err));
  });
  return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
}

/** RpcTransport over one recovering RabbitMQ connection (rpc/ is the only folder that imports amqplib). */
class AmqpTransport implements RpcTransport {
  readonly #connection: BrokerConnection;
  readonly #consumers: Set<AmqpConsumer>;
  readonly #options: RpcOptions;
  readonly #publisher: Publisher;
  #closing: Promise<void> | null = null;

  constructor(connection: BrokerConnection, consumers: Set<AmqpConsumer>, options: RpcOptions) {
    this.#connection = connection;
    this.#consumers = consumers;
    this.#options = options;
    this.#publisher = new Publisher(connection);
  }

  cast(topic: string, method: string, args: unknown, context: RequestContext, version?: string): Promise<void> {
    const envelope = makeEnvelope(method, args, context, version);
    return this.#publish(`send ${method} to ${topic}`, workQueue(topic), envelope, { persistent: true });
  }

  fanout(exchange: string, method: string, args: unknown, context: RequestContext, version?: string): Promise<void> {
    const envelope = makeEnvelope(method, args, context, version);
    return this.#publish(`broadcast ${method} on ${exchange}`, fanoutExchange(exchange), envelope, { persistent: false });
  }

  async call<R>(
    topic: string, method: string, args: unknown, context: RequestContext,
    options: { timeoutMs?: number; version?: string } = {},
  ): Promise<R> {
    const timeoutMs = options.timeoutMs ?? this.#options.callTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const envelope = makeEnvelope(method, args, context, options.version);
    const action = `call ${method} on ${topic}`;
    const properties = { ...publishProperties(envelope), persistent: false, correlationId: randomUUID(), expiration: timeoutMs };
    const request = await this.#publisher.request(action, workQueue(topic), encodeEnvelope(envelope), properties, timeoutMs);
    const reply = await awaitReply(request, deadline - Date.now(), action, () => new RpcTimeoutError(topic, method, timeoutMs));
    return unpackReply<R>(reply);
  }

  serve(topic: string, handlers: HandlerMap, options: ServeOptions = {}): Promise<Consumer> {
    const dispatcher = new WorkDispatcher({
      topic,
      handlers,
      maxAttempts: this.#options.maxAttempts,
      deadLetterQueue: this.#options.deadLetterQueue ?? DEAD_LETTER_QUEUE,
      publishTimeoutMs: this.#options.callTimeoutMs,
      publisher: this.#publisher,
      onDeadLetter: options.onDeadLetter,
    });
    const source: QueueSource = { name: topic, declare: (channel) => declareWorkQueue(channel, topic) };
    return this.#startConsumer(source, (delivery) => dispatcher.process(delivery));
  }

  subscribe(exchange: string, handlers: HandlerMap): Promise<Consumer> {
    const source: QueueSource = { name: exchange, declare: (channel) => declareSubscriberQueue(channel, exchange) };
    return this.#startConsumer(source, broadcastDispatcher(exchange, handlers));
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    await this.#connection.close(); // closes the publish channel too, failing calls still waiting
  }

  #publish(action: string, destination: Destination, envelope: Envelope, options: Options.Publish): Promise<void> {
    const properties = { ...publishProperties(envelope), ...options };
    return this.#publisher.publish(action, destination, encodeEnvelope(envelope), properties, this.#options.callTimeoutMs);
  }

  async #startConsumer(source: QueueSource, process: (delivery: Delivery) => Promise<void>): Promise<Consumer> {
    if (this.#closing) throw new RpcUnavailableError(`consume from ${source.name}`, 'the RPC transport is closed');
    const consumer: AmqpConsumer = new AmqpConsumer({
      source,
      process,
      prefetch: this.#options.prefetch,
      currentModel: () => this.#connection.current(),
      onStopped: () => this.#consumers.delete(consumer),
    });
    this.#consumers.add(consumer);
    const model = this.#connection.current();
    try {
      if (model) await consumer.attach(model);
    } catch (err) {
      await consumer.stop();
      throw new RpcUnavailableError(`consume from ${source.name}`, errorMessage(err));
    }
    return consumer;
  }
}

/**
 * Connects to RabbitMQ (waiting at most `callTimeoutMs` for the first connection) and returns the
 * transport. The connection recovers by itself with backoff; every consumer is re-established on
 * the new connection and publishes wait for it.
 */
export async function connectRpc(url: string, options: RpcOptions): Promise<RpcTransport> {
  const consumers = new Set<AmqpConsumer>();
  const connection = await BrokerConnection.open(url, {
    connectionName: options.connectionName,
    connectTimeoutMs: options.callTimeoutMs,
    onConnect: async (model: ChannelModel) => {
      await Promise.all([...consumers].map((consumer) => consumer.resume(model)));
    },
  });
  return new AmqpTransport(connection, consumers, options);
}
