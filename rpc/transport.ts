import type { RequestContext } from '../common/context.js';

/** What travels on the wire for every message. */
export interface Envelope<P = unknown> {
  readonly method: string;
  readonly args: P;
  readonly context: RequestContext;
  readonly version: string;
  readonly sent_at: string;
}

export type Handler = (args: unknown, context: RequestContext, envelope: Envelope) => Promise<unknown>;
export type HandlerMap = Readonly<Record<string, Handler>>;

export interface ServeOptions {
  /** Called once a message has failed `maxAttempts` times and is dead-lettered: mark its resource `error`. */
  readonly onDeadLetter?: (envelope: Envelope, error: Error) => Promise<void>;
}

/** A handle on a running consumer; `stop()` cancels it and waits for in-flight handlers to finish. */
export interface Consumer {
  stop(): Promise<void>;
}

/** The only surface the services see of RabbitMQ. Implemented in rpc/amqp-transport.ts. */
export interface RpcTransport {
  /** One-way message to a work queue (durable, persistent, publisher-confirmed). */
  cast(topic: string, method: string, args: unknown, context: RequestContext, version?: string): Promise<void>;
  /** Request/reply with a correlation id; rejects with RpcTimeoutError or the remote FloeError. */
  call<R>(topic: string, method: string, args: unknown, context: RequestContext, options?: { timeoutMs?: number; version?: string }): Promise<R>;
  /** Broadcast to every subscriber of a fanout exchange (not persisted: capability reports). */
  fanout(exchange: string, method: string, args: unknown, context: RequestContext, version?: string): Promise<void>;
  /** Competing consumer on a durable queue. */
  serve(topic: string, handlers: HandlerMap, options?: ServeOptions): Promise<Consumer>;
  /** Each subscriber gets its own exclusive queue bound to the exchange. */
  subscribe(exchange: string, handlers: HandlerMap): Promise<Consumer>;
  close(): Promise<void>;
}
