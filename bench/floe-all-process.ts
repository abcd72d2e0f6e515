import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../common/errors.js';
import { FloeApi } from '../cli/floe-api.js';
import { HttpClient } from '../cli/http-client.js';
import { benchEnvironment } from './environment.js';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const LOG_TAIL_LINES = 10;

export interface FloeAllOptions {
  /** `dist/bin/floe-all.js` of this checkout. */
  readonly script: string;
  /** FLOE_HOST of the bench's services. */
  readonly host: string;
  readonly backends: readonly string[];
  readonly capacityGb: number;
  /** More FLOE_* settings (e.g. the backup repository's secret); they win over the bench's defaults. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One `floe-all` child process (API, scheduler, volume workers) on a free port and a temporary data dir. */
export class FloeAllProcess {
  readonly endpoint: string;
  readonly #child: ChildProcess;
  readonly #dataDir: string;
  readonly #logTail: string[] = [];
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, endpoint: string, dataDir: string) {
    this.#child = child;
    this.endpoint = endpoint;
    this.#dataDir = dataDir;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#keep(chunk));
  }

  static async start(options: FloeAllOptions): Promise<FloeAllProcess> {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'floe-bench-'));
    const port = await freePort();
    const child = spawn(process.execPath, [options.script], {
      env: { ...benchEnvironment(), ...floeEnv(options, port, dataDir), ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new FloeAllProcess(child, `http://127.0.0.1:${port}`, dataDir);
  }

  /** The stack's FLOE_DATA_DIR (volumes under `volumes/<backend>/`, the backup repository under `backups/`). */
  get dataDir(): string {
    return this.#dataDir;
  }

  /** The last lines the stack logged (warnings and errors), for a failed run. */
  get logTail(): string {
    return this.#logTail.join('\n');
  }

  /**
   * Resolves once `GET /` answers and the only floe-volume services up are this run's, one per
   * backend: a service of an earlier run stays "up" for FLOE_SERVICE_DOWN_TIME_S after it stopped,
   * and the scheduler would place volumes on it that nobody creates. `onWait` hears each new reason.
   */
  async waitUntilReady(admin: FloeApi, host: string, backends: readonly string[], onWait: (why: string) => void): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    for (let why = await this.#notReady(admin, host, backends); why !== undefined; why = await this.#notReady(admin, host, backends)) {
      if (this.#child.exitCode !== null) throw new Error(`floe-all exited with code ${this.#child.exitCode} while starting`);
      if (Date.now() > deadline) throw new Error(`floe-all was not ready within ${READY_TIMEOUT_MS / 1000} s: ${why}`);
      if (why !== last) onWait(why);
      last = why;
      await sleep(200);
    }
  }

  async #notReady(admin: FloeApi, host: string, backends: readonly string[]): Promise<string | undefined> {
    try {
      const root = await fetch(`${this.endpoint}/`);
      if (root.status !== 200 && root.status !== 300) return `GET / answers ${root.status}`;
      const up = (await admin.listServices()).filter((s) => s.binary === 'floe-volume' && s.state === 'up');
      const missing = backends.filter((b) => !up.some((s) => s.host === `${host}@${b}`));
      if (missing.length > 0) return `waiting for the floe-volume services of ${missing.join(', ')}`;
      const foreign = up.filter((s) => !s.host.startsWith(`${host}@`)).map((s) => s.host);
      if (foreign.length > 0) return `waiting until other floe-volume services are reported down: ${foreign.join(', ')}`;
      return undefined;
    } catch (err) {
      return `the API does not answer yet (${errorMessage(err)})`;
    }
  }

  /** SIGTERM (the stack drains in-flight work), SIGKILL if it does not exit in time; removes the data dir. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.#exited;
      clearTimeout(timer);
    }
    await rm(this.#dataDir, { recursive: true, force: true });
  }

  #keep(chunk: string): void {
    this.#logTail.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    this.#logTail.splice(0, Math.max(0, this.#logTail.length - LOG_TAIL_LINES));
  }
}

function floeEnv(options: FloeAllOptions, port: number, dataDir: string): Record<string, string> {
  const backends = options.backends.map((name) => ({ name, driver: 'file', capacityGb: options.capacityGb }));
  return {
    FLOE_API_PORT: String(port),
    FLOE_DATA_DIR: dataDir,
    FLOE_HOST: options.host,
    // A database and virtual host of the bench's own (scripts/setup.sh --bench): a running
    // `npm start` deployment neither sees the bench's volumes nor lends it its backends.
    FLOE_DATABASE_URL: 'postgres://floe:floe@127.0.0.1:5432/floe_bench',
    FLOE_RABBITMQ_URL: 'amqp://floe:floe@127.0.0.1:5672/floe-bench',
    FLOE_LOG_LEVEL: 'warn',
    FLOE_BACKENDS: JSON.stringify(backends),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A client of the stack as `user:project`. */
export function apiFor(endpoint: string, project: string, user = project): FloeApi {
  return new FloeApi(new HttpClient({ endpoint, project, user }));
}
