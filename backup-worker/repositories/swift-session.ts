import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { z } from 'zod';
import { getLogger } from '../../common/logger.js';
import { DEFAULT_IDLE_TIMEOUT_MS, RepositoryAccessError, RepositoryError } from './repository.js';

// Authentication to Swift (tempauth/swauth v1, Keystone v3 password) and requests that carry the
// token; SwiftRepository (swift.ts) builds on it.

/** Tempauth/swauth (v1) or Keystone v3 password authentication; domains and project are names. */
export type SwiftAuth =
  | { readonly version: '1'; readonly authUrl: string; readonly user: string; readonly key: string }
  | {
      readonly version: '3'; readonly authUrl: string; // Keystone base, e.g. http://host:5000/v3
      readonly username: string; readonly password: string; readonly userDomain: string;
      readonly project: string; readonly projectDomain: string;
      readonly region?: string; readonly interface?: 'public' | 'internal' | 'admin';
    };
export type KeystoneAuth = Extract<SwiftAuth, { version: '3' }>;

/** A token is renewed this long before the expiry the server announced (at most half its life). */
const RENEW_MARGIN_MS = 60_000;
const AUTH_TIMEOUT_MS = 30_000;

const log = getLogger('repository:swift');

/** A token and the account URL it opens. */
interface SwiftToken {
  readonly value: string;
  readonly storageUrl: string;
  /** When to get a new one; undefined when the server announced no expiry. */
  readonly renewAtMs?: number;
}

/** One request relative to the storage URL; `path` is already URL-encoded. */
export interface SwiftCall {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: () => Readable;
  readonly signal?: AbortSignal;
}

/**
 * Holds the token: authenticates lazily, shares one authentication between concurrent calls,
 * renews before a known expiry and once when the server refuses a token that was not fresh.
 */
export class SwiftSession {
  readonly #auth: SwiftAuth;
  readonly #idleTimeoutMs: number;
  #connections: Agent;
  #token?: Promise<SwiftToken>;

  constructor(auth: SwiftAuth, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS) {
    this.#auth = auth;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#connections = this.#newConnections();
  }

  async send(call: SwiftCall): Promise<Response> {
    let { token, fresh } = await this.#currentToken();
    for (;;) {
      const res = await fetchWithToken(token, call, this.#connections);
      if (res.status !== 401 && res.status !== 403) return res;
      await drain(res);
      if (fresh) throw this.#refused(res, call);
      ({ token, fresh } = await this.#currentToken(token));
    }
  }

  /** Forgets the token and closes the connections; the next call authenticates again. */
  async close(): Promise<void> {
    this.#token = undefined;
    const closing = this.#connections;
    this.#connections = this.#newConnections();
    await closing.close();
  }

  /**
   * fetch's own connections wait five minutes for a silent server. undici's Agent is what fetch
   * runs on (Node 20 bundles undici 6), and its timeouts count from the last byte received.
   */
  #newConnections(): Agent {
    return new Agent({ headersTimeout: this.#idleTimeoutMs, bodyTimeout: this.#idleTimeoutMs });
  }

  #refused(res: Response, call: SwiftCall): RepositoryAccessError {
    const target = `${new URL(res.url).origin} refused ${call.method} ${decodeURIComponent(call.path.split('?')[0])}`;
    return new RepositoryAccessError(
      `Swift at ${target} (HTTP ${res.status}) to ${describeUser(this.#auth)} of ${this.#auth.authUrl}, even with a fresh token.`,
    );
  }

  /** The cached token, or a new one when there is none, it is due for renewal, or it is `stale`. */
  async #currentToken(stale?: SwiftToken): Promise<{ token: SwiftToken; fresh: boolean }> {
    const pending = this.#token;
    const cached = await pending?.catch(() => undefined);
    if (cached && cached !== stale && !renewalDue(cached, Date.now())) return { token: cached, fresh: false };
    const renewed = this.#token && this.#token !== pending ? this.#token : (this.#token = authenticate(this.#auth));
    return { token: await renewed, fresh: true };
  }
}

/** Streams the call's body, if any (chunked); the body is released once the server has answered. */
async function fetchWithToken(token: SwiftToken, call: SwiftCall, dispatcher: Agent): Promise<Response> {
  const source = call.body?.();
  try {
    return await fetch(`${token.storageUrl.replace(/\/+$/, '')}/${call.path}`, {
      method: call.method,
      headers: { ...call.headers, 'X-Auth-Token': token.value },
      body: source ? (Readable.toWeb(source) as ReadableStream<Uint8Array>) : undefined,
      duplex: source ? 'half' : undefined,
      signal: call.signal,
      dispatcher,
    } as RequestInit);
  } finally {
    source?.destroy();
  }
}

async function authenticate(auth: SwiftAuth): Promise<SwiftToken> {
  try {
    const token = auth.version === '1' ? await authenticateV1(auth) : await authenticateV3(auth);
    log.debug('authenticated to Swift', { authUrl: auth.authUrl, user: describeUser(auth), storageUrl: token.storageUrl });
    return token;
  } catch (err) {
    if (err instanceof RepositoryAccessError || err instanceof RepositoryError) throw err;
    throw new RepositoryError(`swift.auth(${auth.authUrl})`, { cause: describeFetchError(err) });
  }
}

/** Tempauth/swauth: GET the auth URL with the user and key in headers. */
async function authenticateV1(auth: Extract<SwiftAuth, { version: '1' }>): Promise<SwiftToken> {
  const started = Date.now();
  const res = await fetch(auth.authUrl, {
    headers: { 'X-Auth-User': auth.user, 'X-Auth-Key': auth.key },
    signal: AbortSignal.timeout(AUTH_TIMEOUT_MS),
  });
  await drain(res);
  checkAuthStatus(res, auth);
  const value = res.headers.get('x-auth-token');
  const storageUrl = res.headers.get('x-storage-url');
  if (!value || !storageUrl) throw new RepositoryError(`swift.auth(${auth.authUrl})`, { cause: new Error('the answer holds no X-Auth-Token or X-Storage-Url') });
  const expiresInS = Number(res.headers.get('x-auth-token-expires') ?? NaN);
  return { value, storageUrl, renewAtMs: Number.isFinite(expiresInS) ? renewalTime(started, started + expiresInS * 1000) : undefined };
}

/** Keystone v3: POST {authUrl}/auth/tokens; the token is in X-Subject-Token, the storage URL in the catalog. */
async function authenticateV3(auth: KeystoneAuth): Promise<SwiftToken> {
  const started = Date.now();
  const res = await fetch(`${auth.authUrl.replace(/\/+$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(keystonePasswordAuthBody(auth)),
    signal: AbortSignal.timeout(AUTH_TIMEOUT_MS),
  });
  if (!res.ok) await drain(res);
  checkAuthStatus(res, auth);
  const value = res.headers.get('x-subject-token');
  if (!value) throw new RepositoryError(`swift.auth(${auth.authUrl})`, { cause: new Error('the answer holds no X-Subject-Token') });
  const { storageUrl, expiresAtMs } = parseKeystoneToken(await res.json(), auth);
  return { value, storageUrl, renewAtMs: expiresAtMs === undefined ? undefined : renewalTime(started, expiresAtMs) };
}

function checkAuthStatus(res: Response, auth: SwiftAuth): void {
  if (res.status === 401 || res.status === 403) {
    throw new RepositoryAccessError(`The Swift auth service at ${auth.authUrl} refused the credentials of ${describeUser(auth)} (HTTP ${res.status}).`);
  }
  if (!res.ok) throw new RepositoryError(`swift.auth(${auth.authUrl})`, { cause: httpError(res) });
}

/** Pure: the Keystone v3 request body for password authentication scoped to a project (by names). */
export function keystonePasswordAuthBody(auth: KeystoneAuth): unknown {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: auth.username, domain: { name: auth.userDomain }, password: auth.password } },
      },
      scope: { project: { name: auth.project, domain: { name: auth.projectDomain } } },
    },
  };
}

const KEYSTONE_TOKEN = z.object({
  token: z.object({
    expires_at: z.string().optional(),
    catalog: z
      .array(
        z.object({
          type: z.string(),
          endpoints: z.array(
            z.object({ interface: z.string(), url: z.string(), region_id: z.string().nullish(), region: z.string().nullish() }),
          ),
        }),
      )
      .default([]),
  }),
});

/**
 * Pure: the storage URL (the catalog's first object-store endpoint of the wanted interface, default
 * public, and region when one is set) and the expiry of a Keystone v3 token body.
 */
export function parseKeystoneToken(body: unknown, auth: KeystoneAuth): { storageUrl: string; expiresAtMs?: number } {
  const parsed = KEYSTONE_TOKEN.safeParse(body);
  if (!parsed.success) throw new RepositoryError(`swift.auth(${auth.authUrl})`, { cause: new Error('the token body is not a Keystone v3 token') });
  const wanted = auth.interface ?? 'public';
  const endpoint = parsed.data.token.catalog
    .filter((service) => service.type === 'object-store')
    .flatMap((service) => service.endpoints)
    .find((e) => e.interface === wanted && (!auth.region || e.region_id === auth.region || e.region === auth.region));
  if (!endpoint) {
    const where = auth.region ? ` in region ${auth.region}` : '';
    throw new RepositoryAccessError(`Keystone at ${auth.authUrl} lists no ${wanted} object-store endpoint${where} for ${describeUser(auth)}.`);
  }
  const expiresAtMs = parsed.data.token.expires_at ? Date.parse(parsed.data.token.expires_at) : undefined;
  return { storageUrl: endpoint.url, expiresAtMs: Number.isNaN(expiresAtMs) ? undefined : expiresAtMs };
}

/** Pure: when to renew a token issued at `issuedAtMs` that expires at `expiresAtMs`. */
export function renewalTime(issuedAtMs: number, expiresAtMs: number): number {
  return expiresAtMs - Math.min(RENEW_MARGIN_MS, Math.max(0, expiresAtMs - issuedAtMs) / 2);
}

function renewalDue(token: SwiftToken, nowMs: number): boolean {
  return token.renewAtMs !== undefined && nowMs >= token.renewAtMs;
}

/** Who authenticates, for messages (never the key or password). */
function describeUser(auth: SwiftAuth): string {
  if (auth.version === '1') return `user ${auth.user}`;
  return `user ${auth.username} (domain ${auth.userDomain}, project ${auth.project} in domain ${auth.projectDomain})`;
}

/** Frees the connection of a response whose body is not read. */
export async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

export function httpError(res: Response): Error {
  return new Error(`HTTP ${res.status} ${res.statusText} from ${new URL(res.url).origin}`);
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a reset...) is in its cause. */
export function describeFetchError(err: unknown): unknown {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof Error ? new Error(`${(err as Error).message}: ${cause.message}`, { cause: err }) : err;
}
