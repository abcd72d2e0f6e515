import type { Channel } from 'amqplib';

/** Where failed messages end up, with the failure in their headers. */
export const DEAD_LETTER_QUEUE = 'floe-dead-letter';

/** The pseudo-queue of RabbitMQ's direct reply-to, used by `call`. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * Work queues are quorum queues: durable, replicated, and they count redeliveries in the
 * `x-delivery-count` header even when a consumer dies before acknowledging.
 */
export async function declareWorkQueue(channel: Channel, name: string): Promise<string> {
  await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  return name;
}

export async function declareFanoutExchange(channel: Channel, name: string): Promise<void> {
  await channel.assertExchange(name, 'fanout', { durable: true });
}

/** A subscriber's own server-named queue, gone with its connection. */
export async function declareSubscriberQueue(channel: Channel, exchange: string): Promise<string> {
  await declareFanoutExchange(channel, exchange);
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await channel.bindQueue(queue, exchange, '');
  return queue;
}

/** Where a message is published, and what must exist for it to be routed. */
export interface Destination {
  readonly exchange: string;
  readonly routingKey: string;
  /** Ask the broker to return the message when no queue takes it (then the publish fails). */
  readonly mandatory: boolean;
  /** Declared once per channel before the first publish; absent for reply addresses. */
  readonly declaration?: { readonly key: string; readonly declare: (channel: Channel) => Promise<unknown> };
}

export function workQueue(name: string): Destination {
  return {
    exchange: '',
    routingKey: name,
    mandatory: true,
    declaration: { key: `queue:${name}`, declare: (channel) => declareWorkQueue(channel, name) },
  };
}

export function fanoutExchange(name: string): Destination {
  return {
    exchange: name,
    routingKey: '',
    mandatory: false,
    declaration: { key: `exchange:${name}`, declare: (channel) => declareFanoutExchange(channel, name) },
  };
}

export function replyAddress(replyTo: string): Destination {
  return { exchange: '', routingKey: replyTo, mandatory: false };
}
