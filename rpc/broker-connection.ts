import { EventEmitter, once } from 'node:events';
import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { errorMessage } from '../common/errors.js';
import { getLogger } from '../common/logger.js';
import { closeSafely } from './close-safely.js';
import { RpcUnavailableError } from './errors.js';

const log = getLogger('rpc');

/** Reconnect backoff: 0.2 s doubling up to 5 s, with jitter so that restarted brokers are not stampeded. */
const RECOVERY = { initialDelay: 200, maxDelay: 5000, factor: 2, jitter: 0.2, maxRetries: Infinity };

export interface BrokerConnectionOptions {
  /** Shown in the RabbitMQ management UI and `rabbitmqctl list_connections`. */
  readonly connectionName?: string;
  /** How long `open` waits for the first connection before giving up. */
  readonly connectTimeoutMs: number;
  /** Runs on every (re)connection before it is used: declare queues and start consumers here. */
  readonly onConnect: (model: ChannelModel) => Promise<void>;
}

/** The broker URL with its password masked, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** One connection to RabbitMQ that reconnects by itself and knows which connection is live. */
export class BrokerConnection {
  readonly #url: string;
  readonly #ready = new EventEmitter().setMaxListeners(0);
  readonly #closing = new AbortController();
  #recovering: RecoveringChannelModel | null = null;
  #model: ChannelModel | null = null;
  #lost = false;
  #lastError = 'no connection attempt has finished yet';

  private constructor(url: string) {
    this.#url = url;
  }

  /** Connects, waiting at most `connectTimeoutMs` for the broker; rejects with RpcUnavailableError. */
  static async open(url: string, options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const connection = new BrokerConnection(url);
    await connection.#start(options);
    return connection;
  }

  get isClosed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** The live connection, or null while reconnecting. */
  current(): ChannelModel | null {
    return this.#model;
  }

  /** The live connection, waiting up to `timeoutMs` for a reconnect. */
  async waitForModel(timeoutMs: number): Promise<ChannelModel> {
    if (this.#model) return this.#model;
    if (this.isClosed) throw new Error('the connection is closed');
    // Not AbortSignal.timeout: inside AbortSignal.any, Node 20 lets the garbage collector take the
    // timeout signal, and the wait would never end while the broker stays away.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), Math.max(1, timeoutMs));
    try {
      await once(this.#ready, 'ready', { signal: AbortSignal.any([this.#closing.signal, timeout.signal]) });
    } catch {
      throw new Error(this.isClosed ? 'the connection is closed' : `not connected (${this.#lastError})`);
    } finally {
      clearTimeout(timer);
    }
    if (!this.#model) throw new Error('the connection was lost again');
    return this.#model;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.#closing.abort();
    const model = this.#model;
    this.#model = null;
    const recovering = this.#recovering;
    if (!recovering) return;
    await (model ? closeSafely(model, () => recovering.close()) : recovering.close());
  }

  async #start(options: BrokerConnectionOptions): Promise<void> {
    const recovering = await connect(this.#url, {
      clientProperties: options.connectionName ? { connection_name: options.connectionName } : undefined,
      recovery: { ...RECOVERY, waitForConnect: false, setup: (model: ChannelModel) => this.#setUp(model, options.onConnect) },
    });
    this.#recovering = recovering;
    this.#listen(recovering);
    try {
      await this.waitForModel(options.connectTimeoutMs);
    } catch (err) {
      await this.close();
      throw new RpcUnavailableError(`connect to ${redactUrl(this.#url)}`, errorMessage(err));
    }
  }

  async #setUp(model: ChannelModel, onConnect: (model: ChannelModel) => Promise<void>): Promise<void> {
    this.#model = model;
    try {
      await onConnect(model);
    } catch (err) {
      this.#model = null;
      this.#lastError = `set-up failed: ${errorMessage(err)}`;
      throw err;
    }
  }

  #listen(recovering: RecoveringChannelModel): void {
    const url = redactUrl(this.#url);
    recovering.on('connect', () => {
      if (this.#lost) log.warn('reconnected to the message bus', { url });
      else log.info('connected to the message bus', { url });
      this.#lost = false;
      this.#ready.emit('ready');
    });
    recovering.on('disconnect', (err: Error) => {
      this.#model = null;
      this.#lost = true;
      log.warn('lost the connection to the message bus; reconnecting', { url, error: err.message });
    });
    recovering.on('connect-failed', (err: Error) => {
      this.#lastError = err.message;
      log.warn('could not connect to the message bus; retrying', { url, error: err.message });
    });
    // An 'error' is always followed by the 'disconnect' logged above.
    recovering.on('error', (err: Error) => log.debug('message bus connection error', { url, error: err.message }));
    recovering.on('handler-error', (err: Error, event: string) =>
      log.error('connection event handler failed', { event, error: err.message }),
    );
    recovering.on('blocked', (reason: string) => log.warn('the broker is blocking publishers', { reason }));
    recovering.on('unblocked', () => log.warn('the broker accepts publishers again'));
  }
}
