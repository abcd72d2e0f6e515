import net from 'node:net';

/**
 * A TCP relay to a real server that a test can take down and bring back, to play an outage
 * (broker, SSH server, object store) without stopping the shared server.
 */
export class TcpRelay {
  readonly #server = net.createServer((client) => this.#relay(client));
  readonly #sockets = new Set<net.Socket>();
  readonly #targetHost: string;
  readonly #targetPort: number;
  #port = 0;

  private constructor(targetHost: string, targetPort: number) {
    this.#targetHost = targetHost;
    this.#targetPort = targetPort;
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpRelay> {
    const relay = new TcpRelay(targetHost, targetPort);
    await relay.up();
    return relay;
  }

  /** The loopback port clients connect to; it stays the same across down() and up(). */
  get port(): number {
    return this.#port;
  }

  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as net.AddressInfo).port;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Stops relaying and keeps every connection open: a network partition rather than an outage. */
  stall(): void {
    for (const socket of this.#sockets) socket.unpipe().pause();
  }

  #relay(client: net.Socket): void {
    const upstream = net.connect(this.#targetPort, this.#targetHost);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }
}
