import { ApiError, EndpointUnreachableError } from './errors.js';

/** Where the API is and who we are (noauth token `user:project`). */
export interface Connection {
  readonly endpoint: string;
  readonly project: string;
  readonly user: string;
}

/** Sent on every call: the client speaks Cinder v3.70 (see docs, cinder-client-wire §3.3). */
export const API_VERSION_HEADER = 'volume 3.70';
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query | URLSearchParams;
  readonly body?: unknown;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly body: T;
}

/** A fetch wrapper for `{endpoint}/v3/{project}`: JSON in and out, API faults as ApiError. */
export class HttpClient {
  readonly #connection: Connection;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;

  constructor(connection: Connection, options: { requestTimeoutMs?: number } = {}) {
    this.#connection = connection;
    this.#baseUrl = `${connection.endpoint.replace(/\/+$/, '')}/v3/${encodeURIComponent(connection.project)}`;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  async get<T>(path: string, query?: Query | URLSearchParams): Promise<T> {
    return (await this.request<T>('GET', path, { query })).body;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('POST', path, { body })).body;
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PUT', path, { body })).body;
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  /** Any verb; the body of a 2xx answer is parsed JSON, or undefined when empty. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = this.#url(path, options.query);
    const response = await this.#send(url, method, options.body);
    const body = parseJson(await response.text());
    const requestId = response.headers.get('x-openstack-request-id') ?? undefined;
    if (!response.ok) throw apiErrorFrom(response, body, requestId);
    return { status: response.status, requestId, body: body as T };
  }

  #url(path: string, query: Query | URLSearchParams | undefined): string {
    const params = query instanceof URLSearchParams ? query : toSearchParams(query ?? {});
    const search = params.toString();
    return `${this.#baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async #send(url: string, method: string, body: unknown): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: this.#headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new EndpointUnreachableError(this.#connection.endpoint, unreachableReason(err, this.#timeoutMs), { cause: err });
    }
  }

  #headers(hasBody: boolean): Record<string, string> {
    const { user, project } = this.#connection;
    return {
      Accept: 'application/json',
      'User-Agent': 'floe-cli',
      'X-Auth-Token': `${user}:${project}`,
      'OpenStack-API-Version': API_VERSION_HEADER,
      ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
    };
  }
}

function toSearchParams(query: Query): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a Cinder fault `{"<faultName>": {"code", "message"}}`, or a top-level `message`. */
export function faultFromBody(body: unknown): { faultName?: string; message?: string } {
  if (!isRecord(body)) return {};
  if (typeof body.message === 'string') return { message: body.message };
  const [faultName] = Object.keys(body);
  const fault = faultName === undefined ? undefined : body[faultName];
  if (isRecord(fault) && typeof fault.message === 'string') return { faultName, message: fault.message };
  return {};
}

function apiErrorFrom(response: Response, body: unknown, requestId: string | undefined): ApiError {
  const fault = faultFromBody(body);
  const message = fault.message ?? (response.statusText || `HTTP ${response.status}`);
  return new ApiError(response.status, message, { requestId, faultName: fault.faultName });
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

export function unreachableReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const code = networkErrorCode(err);
  if (code) return NETWORK_REASONS[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}

/** undici hides the socket error in `cause` (an AggregateError when several addresses were tried). */
function networkErrorCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  if (!isRecord(cause)) return undefined;
  if (typeof cause.code === 'string') return cause.code;
  const first = Array.isArray(cause.errors) ? cause.errors[0] : undefined;
  return isRecord(first) && typeof first.code === 'string' ? first.code : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
