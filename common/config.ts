import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { parseRepositories, type RepositoryDefinition } from './repository-config.js';

export { ConfigError } from './config-error.js';

/**
 * Every setting comes from an environment variable (README's configuration table lists them).
 * Parsing happens once at start-up; a bad value stops the process with a message naming the variable.
 */
const backendSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'backend names use letters, digits, ".", "_" and "-"'),
  driver: z.literal('file'),
  path: z.string().min(1).optional(),
  capacityGb: z.number().positive().optional(),
  availabilityZone: z.string().min(1).optional(),
  thinProvisioning: z.boolean().default(true),
  maxOverSubscriptionRatio: z.number().positive().default(20),
  reservedPercentage: z.number().min(0).max(100).default(0),
  capabilities: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type BackendConfig = z.infer<typeof backendSchema> & { path: string; availabilityZone: string };

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  FLOE_DATABASE_URL: z.string().default('postgres://floe:floe@127.0.0.1:5432/floe'),
  FLOE_RABBITMQ_URL: z.string().default('amqp://floe:floe@127.0.0.1:5672/floe'),
  FLOE_API_HOST: z.string().default('127.0.0.1'),
  FLOE_API_PORT: z.coerce.number().int().min(0).max(65535).default(8776),
  FLOE_PUBLIC_URL: z.string().url().optional(),
  FLOE_AUTH_STRATEGY: z.enum(['noauth']).default('noauth'),
  FLOE_NOAUTH_ANY_BIND: boolish.default(false),
  FLOE_API_MAX_BODY_BYTES: z.coerce.number().int().positive().default(65536),
  FLOE_API_MAX_LIMIT: z.coerce.number().int().positive().default(1000),
  FLOE_HOST: z.string().min(1).default(os.hostname()),
  FLOE_DATA_DIR: z.string().default(path.resolve('data')),
  FLOE_BACKENDS: z.string().optional(),
  FLOE_VOLUME_BACKENDS: z.string().optional(),
  FLOE_DEFAULT_AVAILABILITY_ZONE: z.string().min(1).default('nova'),
  FLOE_SCHEDULER_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  FLOE_CAPACITY_WEIGHT_MULTIPLIER: z.coerce.number().default(1),
  FLOE_REPORT_INTERVAL_S: z.coerce.number().positive().default(10),
  FLOE_SERVICE_DOWN_TIME_S: z.coerce.number().positive().default(60),
  FLOE_RPC_CALL_TIMEOUT_S: z.coerce.number().positive().default(60),
  FLOE_RPC_PREFETCH: z.coerce.number().int().positive().default(8),
  FLOE_RPC_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  FLOE_RPC_PUBLISH_DEADLINE_S: z.coerce.number().positive().default(300),
  FLOE_BACKUP_REPOSITORY: z.string().min(1).optional(),
  FLOE_BACKUP_PASSWORD_FILE: z.string().min(1).optional(),
  FLOE_BACKUP_KEY_FILE: z.string().min(1).optional(),
  FLOE_BACKUP_COMPRESSION: z.enum(['zstd', 'gzip', 'none']).default('zstd'),
  FLOE_BACKUP_REPOSITORIES: z.string().min(1).optional(),
  FLOE_BACKUP_DEFAULT_REPOSITORY: z.string().min(1).optional(),
  FLOE_BACKUP_RETRIES: z.coerce.number().int().min(0).default(4),
  FLOE_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  FLOE_LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export interface FloeConfig {
  readonly databaseUrl: string;
  readonly rabbitmqUrl: string;
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl?: string;
    readonly authStrategy: 'noauth';
    readonly noauthAnyBind: boolean;
    readonly maxBodyBytes: number;
    readonly maxLimit: number;
  };
  readonly host: string;
  readonly dataDir: string;
  readonly backends: readonly BackendConfig[];
  /** Names of the backends a `floe-volume` process serves (all configured ones by default). */
  readonly volumeBackends: readonly string[];
  readonly defaultAvailabilityZone: string;
  readonly scheduler: {
    readonly maxAttempts: number;
    readonly capacityWeightMultiplier: number;
  };
  readonly reportIntervalMs: number;
  readonly serviceDownTimeMs: number;
  readonly rpc: {
    readonly callTimeoutMs: number;
    readonly prefetch: number;
    readonly maxAttempts: number;
    readonly publishDeadlineMs: number;
  };
  readonly backup: BackupConfig;
  readonly log: { readonly level: string; readonly format: string };
}

/**
 * The backup repositories (common/repository-config.ts). Without FLOE_BACKUP_REPOSITORIES there is
 * one, `default`: the directory FLOE_BACKUP_REPOSITORY, encrypted under FLOE_BACKUP_PASSWORD_FILE,
 * FLOE_BACKUP_KEY_FILE or a key file generated on the first start.
 */
export interface BackupConfig {
  readonly repositories: readonly RepositoryDefinition[];
  /** The repository of a backup request without a `container`. */
  readonly defaultRepository: string;
  /** Retries of a failed repository call (with backoff) before the operation fails. */
  readonly retries: number;
}

function defaultBackends(dataDir: string): unknown[] {
  // Two thick backends of different sizes, so that a new user sees the scheduler spread volumes.
  return [
    { name: 'file-a', driver: 'file', path: path.join(dataDir, 'volumes', 'file-a'), capacityGb: 50, thinProvisioning: false },
    { name: 'file-b', driver: 'file', path: path.join(dataDir, 'volumes', 'file-b'), capacityGb: 60, thinProvisioning: false },
  ];
}

function parseBackends(raw: string | undefined, dataDir: string, zone: string): BackendConfig[] {
  let value: unknown;
  try {
    value = raw === undefined ? defaultBackends(dataDir) : JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`FLOE_BACKENDS is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = z.array(backendSchema).min(1).safeParse(value);
  if (!parsed.success) throw new ConfigError(`FLOE_BACKENDS: ${z.prettifyError(parsed.error)}`);
  const names = new Set<string>();
  return parsed.data.map((b) => {
    if (names.has(b.name)) throw new ConfigError(`FLOE_BACKENDS: backend name ${b.name} is used twice`);
    names.add(b.name);
    return {
      ...b,
      path: b.path ?? path.join(dataDir, 'volumes', b.name),
      availabilityZone: b.availabilityZone ?? zone,
    };
  });
}

function parseBackup(e: z.output<typeof envSchema>, dataDir: string): BackupConfig {
  if (e.FLOE_BACKUP_REPOSITORIES !== undefined && e.FLOE_BACKUP_REPOSITORY !== undefined) {
    throw new ConfigError('FLOE_BACKUP_REPOSITORY and FLOE_BACKUP_REPOSITORIES cannot both be set');
  }
  const { repositories, defaultRepository } = parseRepositories({
    raw: e.FLOE_BACKUP_REPOSITORIES,
    defaultName: e.FLOE_BACKUP_DEFAULT_REPOSITORY,
    dataDir,
    compression: e.FLOE_BACKUP_COMPRESSION,
    legacy: { path: e.FLOE_BACKUP_REPOSITORY, passwordFile: e.FLOE_BACKUP_PASSWORD_FILE, keyFile: e.FLOE_BACKUP_KEY_FILE },
  });
  return { repositories, defaultRepository, retries: e.FLOE_BACKUP_RETRIES };
}

function parseVolumeBackends(raw: string | undefined, backends: readonly BackendConfig[]): string[] {
  if (raw === undefined || raw.trim() === '') return backends.map((b) => b.name);
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!backends.some((b) => b.name === name)) {
      throw new ConfigError(`FLOE_VOLUME_BACKENDS names ${name}, which FLOE_BACKENDS does not define`);
    }
  }
  return names;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): FloeConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const dataDir = path.resolve(e.FLOE_DATA_DIR);
  const backends = parseBackends(e.FLOE_BACKENDS, dataDir, e.FLOE_DEFAULT_AVAILABILITY_ZONE);
  return {
    databaseUrl: e.FLOE_DATABASE_URL,
    rabbitmqUrl: e.FLOE_RABBITMQ_URL,
    api: {
      host: e.FLOE_API_HOST,
      port: e.FLOE_API_PORT,
      publicUrl: e.FLOE_PUBLIC_URL,
      authStrategy: e.FLOE_AUTH_STRATEGY,
      noauthAnyBind: e.FLOE_NOAUTH_ANY_BIND,
      maxBodyBytes: e.FLOE_API_MAX_BODY_BYTES,
      maxLimit: e.FLOE_API_MAX_LIMIT,
    },
    host: e.FLOE_HOST,
    dataDir,
    backends,
    volumeBackends: parseVolumeBackends(e.FLOE_VOLUME_BACKENDS, backends),
    defaultAvailabilityZone: e.FLOE_DEFAULT_AVAILABILITY_ZONE,
    scheduler: {
      maxAttempts: e.FLOE_SCHEDULER_MAX_ATTEMPTS,
      capacityWeightMultiplier: e.FLOE_CAPACITY_WEIGHT_MULTIPLIER,
    },
    reportIntervalMs: e.FLOE_REPORT_INTERVAL_S * 1000,
    serviceDownTimeMs: e.FLOE_SERVICE_DOWN_TIME_S * 1000,
    rpc: {
      callTimeoutMs: e.FLOE_RPC_CALL_TIMEOUT_S * 1000,
      prefetch: e.FLOE_RPC_PREFETCH,
      maxAttempts: e.FLOE_RPC_MAX_ATTEMPTS,
      publishDeadlineMs: e.FLOE_RPC_PUBLISH_DEADLINE_S * 1000,
    },
    backup: parseBackup(e, dataDir),
    log: { level: e.FLOE_LOG_LEVEL, format: e.FLOE_LOG_FORMAT },
  };
}
