// The public surface of rpc/: other folders import from here.
export type { Consumer, Envelope, Handler, HandlerMap, RpcTransport, ServeOptions } from './transport.js';
export { connectRpc, type RpcOptions } from './amqp-transport.js';
export { DEFAULT_RPC_VERSION } from './envelope.js';
export { MalformedMessageError, RpcUnavailableError, UnknownMethodError } from './errors.js';
export { Outbox, type OutboxOptions, type OutboxResource, type UndeliverableHandler } from './outbox.js';
export { DEAD_LETTER_QUEUE } from './topology.js';
export * from './capabilities-api.js';
export * from './scheduler-api.js';
export * from './volume-api.js';
export * from './backup-api.js';
