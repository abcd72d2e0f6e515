import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../../common/context.js';
import type { Db } from '../../../common/db/database.js';
import type { Database } from '../../../common/db/schema.js';
import { configureLogging } from '../../../common/logger.js';
import { transitionVolume } from '../../../common/status.js';
import type { CastOptions, CastOutbox } from '../../../api/deps.js';
import { startApiService } from '../../../api/server.js';
import { openTestDb, testConfig, uniqueName } from '../../support/env.js';

/** Response bodies are free-form JSON that the tests walk into. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface RecordedCast {
  readonly topic: string;
  readonly method: string;
  readonly args: Json;
  readonly context: RequestContext;
  readonly options?: CastOptions;
}

/** A stand-in for our own transactional outbox: records the casts, publishes nothing. */
export class RecordingOutbox implements CastOutbox {
  readonly casts: RecordedCast[] = [];
  kicks = 0;

  async enqueueCast(
    _trx: Kysely<Database>, topic: string, method: string, args: unknown, context: RequestContext, options?: CastOptions,
  ): Promise<void> {
    this.casts.push({ topic, method, args, context, options });
  }

  kick(): void {
    this.kicks += 1;
  }

  castsFor(volumeId: string): RecordedCast[] {
    return this.casts.filter((c) => c.args?.volumeId === volumeId);
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as is (for malformed or oversized bodies). */
  readonly rawBody?: string;
  /** `X-Auth-Token`; null sends none. */
  readonly token?: string | null;
  /** The microversion, sent as `OpenStack-API-Version: volume <v>`. */
  readonly version?: string;
  readonly headers?: Record<string, string>;
}

/** A cinderclient-like caller: noauth token `user:project`, JSON bodies. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
    readonly version?: string,
  ) {}

  as(token: string, version = this.version): ApiClient {
    return new ApiClient(this.baseUrl, token, version);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers['X-Auth-Token'] = token;
    const version = options.version ?? this.version;
    if (version !== undefined) headers['OpenStack-API-Version'] = `volume ${version}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  get(path: string, options?: RequestOptions) {
    return this.request('GET', path, options);
  }
  post(path: string, body: unknown, options?: RequestOptions) {
    return this.request('POST', path, { ...options, body });
  }
  put(path: string, body: unknown, options?: RequestOptions) {
    return this.request('PUT', path, { ...options, body });
  }
  delete(path: string, options?: RequestOptions) {
    return this.request('DELETE', path, options);
  }
}

export interface TestApi {
  readonly url: string;
  readonly db: Db;
  readonly outbox: RecordingOutbox;
  /** A project of its own for this run; `client` is user u1 in it, `admin` the admin in it. */
  readonly project: string;
  readonly client: ApiClient;
  readonly admin: ApiClient;
  /** `user` in `project`, through the `/v3/{project}` form. */
  clientFor(user: string, project: string): ApiClient;
  stop(): Promise<void>;
}

/** Starts the API on a free loopback port against the test database. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const db = await openTestDb();
  const outbox = new RecordingOutbox();
  const config = testConfig({ FLOE_API_HOST: '127.0.0.1', FLOE_API_PORT: '0', ...env });
  configureLogging(config.log.level, config.log.format);
  const service = await startApiService({ config, db, outbox });
  const project = uniqueName('proj');
  return {
    url: service.url,
    db,
    outbox,
    project,
    client: new ApiClient(`${service.url}/v3/${project}`, `u1:${project}`, '3.70'),
    admin: new ApiClient(`${service.url}/v3/${project}`, `admin:${project}`, '3.70'),
    clientFor: (user, other) => new ApiClient(`${service.url}/v3/${other}`, `${user}:${other}`, '3.70'),
    stop: async () => {
      await service.stop();
      await db.destroy();
    },
  };
}

/** The minimal body cinderclient sends for `cinder create <size> --name <name>`. */
export function createBody(size: unknown, extra: Record<string, unknown> = {}) {
  return {
    volume: {
      size, consistencygroup_id: null, snapshot_id: null, name: null, description: null, volume_type: null,
      availability_zone: null, metadata: {}, imageRef: null, source_volid: null, backup_id: null, ...extra,
    },
  };
}

export async function countProjectVolumes(db: Db, project: string): Promise<number> {
  const row = await db
    .selectFrom('volumes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('project_id', '=', project)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What the scheduler and a worker would do: place the volume on `host` and make it available. */
export async function makeAvailable(db: Db, volumeId: string, host = 'node1@file-small#file-small'): Promise<void> {
  await transitionVolume(db, volumeId, 'created', { set: { host } });
}

export interface ServiceFixture {
  readonly binary?: string;
  readonly host: string;
  readonly zone: string;
  readonly capabilities?: Record<string, unknown>;
  /** How old the heartbeat is; 0 = fresh. */
  readonly heartbeatAgeS?: number;
  readonly disabled?: boolean;
}

export async function insertService(db: Db, fixture: ServiceFixture): Promise<void> {
  await db
    .insertInto('services')
    .values({
      binary: fixture.binary ?? 'floe-volume',
      host: fixture.host,
      availability_zone: fixture.zone,
      capabilities: JSON.stringify(fixture.capabilities ?? {}),
      disabled: fixture.disabled ?? false,
      disabled_reason: fixture.disabled ? 'maintenance' : null,
      heartbeat_at: sql<Date>`now() - make_interval(secs => ${fixture.heartbeatAgeS ?? 0})`,
    })
    .execute();
}

export async function cleanup(db: Db, projects: readonly string[], hosts: readonly string[] = []): Promise<void> {
  if (projects.length > 0) await db.deleteFrom('volumes').where('project_id', 'in', projects).execute();
  if (projects.length > 0) await db.deleteFrom('messages').where('project_id', 'in', projects).execute();
  if (hosts.length > 0) await db.deleteFrom('services').where('host', 'in', hosts).execute();
}

export { uniqueName };
