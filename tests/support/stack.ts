import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { uniqueName } from './env.js';

const exec = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST_BIN = path.join(REPO, 'dist', 'bin');
const ADMIN_DB_URL = process.env.FLOE_TEST_DATABASE_URL ?? 'postgres://floe:floe@127.0.0.1:5432/floe_test';

export interface BackendSpec {
  readonly name: string;
  readonly capacityGb: number;
  readonly thinProvisioning?: boolean;
  readonly availabilityZone?: string;
  readonly capabilities?: Record<string, string | number | boolean>;
}

export interface StackOptions {
  readonly backends: readonly BackendSpec[];
  /** Extra FLOE_* variables for every process. */
  readonly env?: Record<string, string>;
  /** Also run a backup worker (process 'backup'); its repository is `<dataDir>/backups`. */
  readonly backup?: boolean;
  /** The scheduler and the workers reach PostgreSQL on this local port instead (a TcpRelay a test can cut); the API does not. */
  readonly workerDatabasePort?: number;
}

/** The real processes of one Floe deployment, each in its own database and RabbitMQ virtual host. */
export interface Stack {
  readonly apiUrl: string;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** Process names: 'api', 'scheduler', 'volume-<backend>', and 'backup' when asked for. */
  processNames(): string[];
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  start(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function withAdminDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DB_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  await exec('rabbitmqctl', ['-q', ...args]);
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface ProcessSpec {
  readonly script: string;
  readonly env: NodeJS.ProcessEnv;
}

function workerEnv(env: NodeJS.ProcessEnv, databaseUrl: string, databasePort: number | undefined): NodeJS.ProcessEnv {
  if (databasePort === undefined) return env;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(databasePort);
  return { ...env, FLOE_DATABASE_URL: url.href };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const id = uniqueName('e2e').replace('-', '_');
  const dbName = `floe_${id}`;
  const vhost = `floe-${id}`;
  await withAdminDb((c) => c.query(`CREATE DATABASE "${dbName}"`));
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'floe', '.*', '.*', '.*');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'floe-e2e-'));
  const port = await freePort();
  const databaseUrl = ADMIN_DB_URL.replace(/\/[^/]*$/, `/${dbName}`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FLOE_DATABASE_URL: databaseUrl,
    FLOE_RABBITMQ_URL: `amqp://floe:floe@127.0.0.1:5672/${vhost}`,
    FLOE_API_PORT: String(port),
    FLOE_DATA_DIR: dataDir,
    FLOE_HOST: id.replace('_', '-'),
    FLOE_LOG_LEVEL: process.env.FLOE_TEST_LOG_LEVEL ?? 'warn',
    FLOE_REPORT_INTERVAL_S: '1',
    FLOE_SERVICE_DOWN_TIME_S: '10',
    FLOE_BACKENDS: JSON.stringify(options.backends.map((b) => ({ driver: 'file', ...b }))),
    ...options.env,
  };
  const workers = workerEnv(env, databaseUrl, options.workerDatabasePort);
  const specs = new Map<string, ProcessSpec>([
    ['api', { script: 'floe-api.js', env }],
    ['scheduler', { script: 'floe-scheduler.js', env: workers }],
    ...options.backends.map((b): [string, ProcessSpec] => [
      `volume-${b.name}`,
      { script: 'floe-volume.js', env: { ...workers, FLOE_VOLUME_BACKENDS: b.name } },
    ]),
    ...(options.backup ? [['backup', { script: 'floe-backup.js', env: workers }] as [string, ProcessSpec]] : []),
  ]);
  const children = new Map<string, ChildProcess>();
  const apiUrl = `http://127.0.0.1:${port}`;

  const start = async (name: string): Promise<void> => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`no process ${name} in this stack`);
    const child = spawn(process.execPath, [path.join(DIST_BIN, spec.script)], {
      env: spec.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.set(name, child);
    if (name === 'api') await waitUntil('Floe API', 60_000, async () => (await fetch(`${apiUrl}/`)).status === 300);
  };
  const kill = async (name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    children.delete(name);
  };
  const stack: Stack = {
    apiUrl,
    env,
    dataDir,
    databaseUrl,
    processNames: () => [...specs.keys()],
    kill,
    start,
    stop: async () => {
      await Promise.all([...children.keys()].map((n) => kill(n)));
      await withAdminDb((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
      await rabbitmqctl('delete_vhost', vhost).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  // The API first (it migrates the fresh database and is waited for), then the scheduler and workers.
  try {
    for (const name of specs.keys()) await start(name);
    await waitForServices(apiUrl, options.backends.length);
    if (options.backup) await waitForBackupService(apiUrl);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

interface ServiceView {
  binary: string;
  state: string;
  updated_at: string;
}

async function listServices(apiUrl: string): Promise<ServiceView[]> {
  const res = await fetch(`${apiUrl}/v3/admin/os-services`, { headers: { 'X-Auth-Token': 'admin:admin' } });
  if (!res.ok) return [];
  return ((await res.json()) as { services: ServiceView[] }).services;
}

/**
 * Every volume service is up, and the scheduler has refreshed its view since they all registered
 * (it reloads the services rows right after each of its own heartbeats), so it knows every backend.
 */
async function waitForServices(apiUrl: string, expected: number): Promise<void> {
  let registeredAt = '';
  await waitUntil('volume services', 60_000, async () => {
    const volumes = (await listServices(apiUrl)).filter((s) => s.binary === 'floe-volume' && s.state === 'up');
    registeredAt = volumes.map((s) => s.updated_at).sort().at(-1) ?? '';
    return volumes.length === expected;
  });
  await waitUntil('scheduler', 60_000, async () =>
    (await listServices(apiUrl)).some((s) => s.binary === 'floe-scheduler' && s.state === 'up' && s.updated_at > registeredAt),
  );
  await new Promise((r) => setTimeout(r, 200));
}

/** The backup worker has registered (it opens the repository and resolves its backups first). */
export async function waitForBackupService(apiUrl: string): Promise<void> {
  await waitUntil('backup service', 60_000, async () =>
    (await listServices(apiUrl)).some((s) => s.binary === 'floe-backup' && s.state === 'up'),
  );
}

/** Runs Debian's official `cinder` CLI (python3-cinderclient) in noauth mode against the stack. */
export async function cinder(
  stack: Stack,
  args: readonly string[],
  who: { user: string; project: string } = { user: 'demo', project: 'demo' },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME,
    OS_AUTH_TYPE: 'noauth',
    OS_USER_ID: who.user,
    OS_PROJECT_ID: who.project,
    CINDER_ENDPOINT: `${stack.apiUrl}/v3/${who.project}`,
  };
  try {
    const { stdout, stderr } = await exec('/usr/bin/cinder', [...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
