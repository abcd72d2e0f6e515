import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type Channel } from 'amqplib';
import type { RequestContext } from '../../../common/context.js';
import { newRequestId } from '../../../common/ids.js';
import { connectRpc, type RpcOptions } from '../../../rpc/amqp-transport.js';
import type { RpcTransport } from '../../../rpc/transport.js';
import { TEST_RABBITMQ_URL, uniqueName } from '../../support/env.js';
import { TcpRelay } from '../../support/tcp-relay.js';

const exec = promisify(execFile);

export const TEST_RPC_OPTIONS: RpcOptions = { prefetch: 4, callTimeoutMs: 5000, maxAttempts: 3 };

export function testContext(): RequestContext {
  return { requestId: newRequestId(), projectId: uniqueName('project'), userId: 'tester', roles: ['member'] };
}

/** A promise with its resolve function, to wait for something a handler does. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * What a test opened on the broker, closed and deleted in `cleanUp()`: transports, plus queues and
 * exchanges named with uniqueName. Also a plain amqplib channel to look at the broker's side.
 */
export class BrokerScratch {
  readonly #transports: RpcTransport[] = [];
  readonly #queues = new Set<string>();
  readonly #exchanges = new Set<string>();
  #admin: { connection: ChannelModel; channel: Channel } | null = null;

  queue(prefix: string): string {
    const name = uniqueName(`test-rpc-${prefix}`);
    this.#queues.add(name);
    return name;
  }

  exchange(prefix: string): string {
    const name = uniqueName(`test-rpc-${prefix}`);
    this.#exchanges.add(name);
    return name;
  }

  async transport(overrides: Partial<RpcOptions> = {}, url = TEST_RABBITMQ_URL): Promise<RpcTransport> {
    const transport = await connectRpc(url, { ...TEST_RPC_OPTIONS, ...overrides });
    this.#transports.push(transport);
    return transport;
  }

  async channel(): Promise<Channel> {
    if (!this.#admin) {
      const connection = await connect(TEST_RABBITMQ_URL);
      const channel = await connection.createChannel();
      channel.on('error', () => undefined); // a failed check closes the channel; the next call opens another
      channel.on('close', () => {
        if (this.#admin?.channel === channel) this.#admin = null;
        void connection.close().catch(() => undefined);
      });
      this.#admin = { connection, channel };
    }
    return this.#admin.channel;
  }

  /** Messages ready in a queue (not those a consumer holds unacknowledged). */
  async readyCount(queue: string): Promise<number> {
    return (await (await this.channel()).checkQueue(queue)).messageCount;
  }

  /** As readyCount, or undefined while nothing has declared the queue yet (a dead-letter queue is declared by its first message). */
  async readyCountOnceDeclared(queue: string): Promise<number | undefined> {
    return this.readyCount(queue).catch((err: { code?: number }) => {
      if (err.code === 404) return undefined;
      throw err;
    });
  }

  async cleanUp(): Promise<void> {
    await Promise.all(this.#transports.splice(0).map((t) => t.close()));
    const channel = await this.channel();
    for (const queue of this.#queues) await channel.deleteQueue(queue);
    for (const exchange of this.#exchanges) await channel.deleteExchange(exchange);
    const admin = this.#admin;
    this.#admin = null;
    await admin?.connection.close();
  }
}

/** Makes the broker drop the connection named `connectionName`, as a broker restart would. */
export async function closeBrokerConnection(connectionName: string): Promise<void> {
  const { stdout } = await exec('rabbitmqctl', ['-q', 'list_connections', '-p', 'floe-test', 'pid', 'client_properties']);
  const line = stdout.split('\n').find((l) => l.includes(`{"connection_name","${connectionName}"}`));
  if (!line) throw new Error(`no broker connection named ${connectionName}`);
  await exec('rabbitmqctl', ['-q', 'close_connection', line.split('\t')[0], 'forced by an rpc test']);
}

/** A relay to the test broker that a test can take down and bring back, to play a broker outage. */
export class BrokerProxy {
  readonly #relay: TcpRelay;

  private constructor(relay: TcpRelay) {
    this.#relay = relay;
  }

  static async start(): Promise<BrokerProxy> {
    const target = new URL(TEST_RABBITMQ_URL);
    return new BrokerProxy(await TcpRelay.start(target.hostname, Number(target.port || 5672)));
  }

  /** The test vhost's URL through this proxy. */
  get url(): string {
    const url = new URL(TEST_RABBITMQ_URL);
    url.port = String(this.#relay.port);
    url.hostname = '127.0.0.1';
    return url.toString();
  }

  up(): Promise<void> {
    return this.#relay.up();
  }

  down(): Promise<void> {
    return this.#relay.down();
  }

  stall(): void {
    this.#relay.stall();
  }
}
