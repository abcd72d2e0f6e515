import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIo } from '../../../cli/context.js';

/** A request as the stub saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface StubReply {
  readonly status: number;
  readonly body?: unknown;
  /** Sent verbatim instead of JSON. */
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Never answer (for client timeouts). */
  readonly hang?: boolean;
}

export type StubHandler = (req: SeenRequest) => StubReply;

/** A tiny local HTTP server answering each request with what the test's handler says. */
export class HttpStub {
  readonly requests: SeenRequest[] = [];
  handler: StubHandler = () => ({ status: 500, body: { computeFault: { code: 500, message: 'no handler' } } });
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<HttpStub> {
    const stub: HttpStub = new HttpStub(createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub');
        const text = Buffer.concat(chunks).toString();
        const seen: SeenRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: text === '' ? undefined : JSON.parse(text),
        };
        stub.requests.push(seen);
        const reply = stub.handler(seen);
        if (reply.hang) return;
        const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(payload);
      });
    }));
    await new Promise<void>((resolve) => stub.#server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  reset(handler: StubHandler): void {
    this.requests.length = 0;
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Collects what a CLI run writes. */
export class Capture {
  text = '';
  readonly isTTY = false;

  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export function testIo(env: NodeJS.ProcessEnv): CliIo & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture(), env, pollIntervalMs: 5 };
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A volume as the API returns it, with overrides. */
export function volumeFixture(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    name: 'vol-a',
    status: 'available',
    size: 1,
    availability_zone: 'nova',
    description: null,
    volume_type: '__DEFAULT__',
    bootable: 'false',
    metadata: {},
    attachments: [],
    links: [{ rel: 'self', href: 'http://x/v3/p1/volumes/1' }],
    created_at: '2026-01-01T00:00:00.000000',
    ...overrides,
  };
}
