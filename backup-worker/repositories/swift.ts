import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { getLogger } from '../../common/logger.js';
import { SingleFlight } from '../../common/single-flight.js';
import {
  checkObjectName,
  ObjectNotFoundError,
  RepositoryAccessError,
  RepositoryError,
  type ByteRange,
  type LoadOptions,
  type ObjectHandle,
  type ObjectInfo,
  type ObjectKind,
  type OpOptions,
  type Repository,
  REMOTE_CONCURRENCY,
} from './repository.js';
import { describeFetchError, drain, httpError, SwiftSession, type SwiftAuth, type SwiftCall } from './swift-session.js';
import { objectPath, KIND_DIRS } from './layout.js';

export type { SwiftAuth } from './swift-session.js';

export interface SwiftRepositoryOptions {
  readonly auth: SwiftAuth;
  readonly container: string; // created when missing
  readonly prefix?: string;
  readonly idleTimeoutMs?: number; // a server silent this long fails the request (default DEFAULT_IDLE_TIMEOUT_MS)
}

/** Swift's default (and usual maximum) container listing page. */
const LIST_PAGE_SIZE = 10000;

const log = getLogger('repository:swift');

/**
 * A Swift container (native API over fetch). Objects keep the local layout under the prefix
 * (`packs/<first 2 chars>/<name>`, `index/<name>`, ...). An object PUT is atomic in Swift, so a
 * save streams the body straight to its final name.
 */
export class SwiftRepository implements Repository {
  readonly concurrency = REMOTE_CONCURRENCY;
  readonly #session: SwiftSession;
  readonly #container: string;
  readonly #prefix: string;
  readonly #containerCreation = new SingleFlight<void>();

  constructor(options: SwiftRepositoryOptions) {
    this.#session = new SwiftSession(options.auth, options.idleTimeoutMs);
    this.#container = options.container;
    this.#prefix = directoryPrefix(options.prefix);
  }

  /** The first save into a missing container creates it; reads of one find nothing and create nothing. */
  async save(h: ObjectHandle, body: () => Readable, o?: OpOptions): Promise<void> {
    checkObjectName(h);
    const put = () => this.#send('save', h, { method: 'PUT', path: this.#objectPath(h), body, signal: o?.signal });
    let res = await put();
    if (res.status === 404) {
      await drain(res);
      await this.#createContainer().catch((err: unknown) => this.#fail('createContainer', undefined, err, o?.signal));
      res = await put();
    }
    await this.#expect(res, [201], this.#callName('save', h));
  }

  async load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    checkObjectName(h);
    if (range?.length === 0) return this.stat(h, o).then(() => Buffer.alloc(0));
    const res = await this.#get(h, range, o?.signal);
    if (res.status === 416) return drain(res).then(() => Buffer.alloc(0)); // the range starts past the end
    await this.#expect(res, [200, 206], this.#callName('load', h), h);
    const data = await readBody(res, o?.into).catch((err: unknown) => this.#fail('load', h, err, o?.signal));
    return range && res.status === 200 ? data.subarray(range.offset, range.offset + range.length) : data;
  }

  /** The GET's body as it arrives (from the range's start: a 200 answers only a range that starts the object). */
  async openRange(h: ObjectHandle, range: ByteRange, o?: OpOptions): Promise<Readable> {
    checkObjectName(h);
    const res = await this.#get(h, range, o?.signal);
    await this.#expect(res, range.offset === 0 ? [200, 206] : [206], this.#callName('load', h), h);
    if (!res.body) throw new RepositoryError(this.#callName('load', h), { cause: new Error('the response has no body') });
    return Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
  }

  async stat(h: ObjectHandle, o?: OpOptions): Promise<ObjectInfo> {
    checkObjectName(h);
    const res = await this.#send('stat', h, { method: 'HEAD', path: this.#objectPath(h), signal: o?.signal });
    await this.#expect(res, [200], this.#callName('stat', h), h);
    return { kind: h.kind, name: h.name, sizeBytes: Number(res.headers.get('content-length')) };
  }

  async *list(kind: ObjectKind, o?: OpOptions): AsyncIterable<ObjectInfo> {
    const top = `${this.#prefix}${KIND_DIRS[kind]}/`;
    let marker = '';
    for (;;) {
      const page = await this.#listPage(top, marker, o?.signal);
      if (page.length === 0) return;
      for (const entry of page) {
        const name = nameInLayout(kind, entry.name.slice(top.length));
        if (name) yield { kind, name, sizeBytes: entry.bytes };
      }
      marker = page[page.length - 1].name;
    }
  }

  async remove(h: ObjectHandle, o?: OpOptions): Promise<void> {
    checkObjectName(h);
    const res = await this.#send('remove', h, { method: 'DELETE', path: this.#objectPath(h), signal: o?.signal });
    await this.#expect(res, [204, 200], this.#callName('remove', h), h);
  }

  /** An object PUT is atomic in Swift: an interrupted save leaves nothing. */
  async removeTemporaries(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    await this.#session.close();
  }

  /** One page of the container listing; reading until an empty page copes with any server page limit. */
  async #listPage(top: string, marker: string, signal?: AbortSignal): Promise<ListingEntry[]> {
    const query = new URLSearchParams({ format: 'json', prefix: top, marker, limit: String(LIST_PAGE_SIZE) });
    const res = await this.#send('list', undefined, { method: 'GET', path: `${this.#containerPath()}?${query}`, signal });
    if (res.status === 204 || res.status === 404) return drain(res).then(() => []);
    await this.#expect(res, [200], this.#callName('list'));
    const body = await res.json().catch((err: unknown) => this.#fail('list', undefined, err, signal));
    const parsed = LISTING.safeParse(body);
    if (!parsed.success) throw new RepositoryError(this.#callName('list'), { cause: parsed.error });
    return parsed.data;
  }

  /** A GET of the object, or of `range` of it. */
  #get(h: ObjectHandle, range: ByteRange | undefined, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {};
    return this.#send('load', h, { method: 'GET', path: this.#objectPath(h), headers, signal });
  }

  /** Sends a call; failures to reach the server become RepositoryError. */
  async #send(op: string, h: ObjectHandle | undefined, call: SwiftCall): Promise<Response> {
    try {
      return await this.#session.send(call);
    } catch (err) {
      return this.#fail(op, h, err, call.signal);
    }
  }

  /** One container PUT for the saves that found it missing together (a PUT of an existing one is harmless). */
  #createContainer(): Promise<void> {
    return this.#containerCreation.run(async () => {
      const put = await this.#session.send({ method: 'PUT', path: this.#containerPath() });
      await drain(put);
      if (!put.ok) throw httpError(put);
      log.info('created Swift container', { container: this.#container });
    });
  }

  /** Maps a status other than the expected ones to ObjectNotFoundError (404 for `missing`) or RepositoryError. */
  async #expect(res: Response, ok: readonly number[], call: string, missing?: ObjectHandle): Promise<void> {
    if (ok.includes(res.status)) return;
    await drain(res);
    if (res.status === 404 && missing) throw new ObjectNotFoundError(missing);
    throw new RepositoryError(call, { cause: httpError(res) });
  }

  #fail(op: string, h: ObjectHandle | undefined, err: unknown, signal?: AbortSignal): never {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof RepositoryError || err instanceof RepositoryAccessError) throw err;
    throw new RepositoryError(this.#callName(op, h), { cause: describeFetchError(err) });
  }

  #callName(op: string, h?: ObjectHandle): string {
    return `swift.${op}(container ${this.#container}${h ? `, ${h.kind}/${h.name}` : ''})`;
  }

  #containerPath(): string {
    return encodeURIComponent(this.#container);
  }

  #objectPath(h: ObjectHandle): string {
    const key = `${this.#prefix}${objectPath(h)}`;
    return `${this.#containerPath()}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
}

/** "a/b", "/a/b/" → "a/b/"; none → "". */
function directoryPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

const LISTING = z.array(z.object({ name: z.string(), bytes: z.number() }));
type ListingEntry = z.infer<typeof LISTING>[number];

/** The object name of a listed key (relative to the kind's directory), or undefined when it is not in the layout. */
function nameInLayout(kind: ObjectKind, relative: string): string | undefined {
  const parts = relative.split('/');
  const name = parts[parts.length - 1];
  const layoutOk = kind === 'pack' ? parts.length === 2 && parts[0] === name.slice(0, 2) : parts.length === 1;
  return layoutOk && name ? name : undefined;
}

/** Reads a response body, into `into` when it is large enough. */
async function readBody(res: Response, into?: Buffer): Promise<Buffer> {
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (!res.body || !Number.isSafeInteger(length)) return Buffer.from(await res.arrayBuffer());
  const target = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let done = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    if (done + chunk.length > length) throw new Error(`the body is longer than its Content-Length ${length}`);
    target.set(chunk, done);
    done += chunk.length;
  }
  if (done !== length) throw new Error(`the body ended after ${done} of ${length} bytes`);
  return target;
}
