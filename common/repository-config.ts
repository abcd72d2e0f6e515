import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';

/**
 * The backup repositories an operator configures (FLOE_BACKUP_REPOSITORIES). Secrets are never
 * written in this configuration: a field that holds one names an environment variable or a file
 * readable only by Floe, and only the backup worker reads them (see backup-worker/repositories/open.ts).
 */
export const REPOSITORY_TYPES = ['local', 'sftp', 's3', 'swift'] as const;
export type RepositoryType = (typeof REPOSITORY_TYPES)[number];

const secretRef = z.union([
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
/** Where a secret comes from: an environment variable or a file (mode 0600 or stricter). */
export type SecretRef = z.infer<typeof secretRef>;

const repositoryName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'repository names use letters, digits, ".", "_" and "-" (at most 64)');

const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?(?:\/s)?$/i;
const MIB = 1024 ** 2;
const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: MIB, G: 1024 * MIB };

/** "500K", "20M", "1.5G" or a plain number of bytes per second. */
export function parseBandwidth(value: string | number): number {
  return parseByteSize(value, 'bandwidth limit', 'bytes per second (e.g. 500K, 20M, 1G)');
}

/** A size with an optional K/M/G suffix (powers of 1024). */
export function parseByteSize(value: string | number, what: string, expected = 'a size in bytes (e.g. 8M, 64M)'): number {
  if (typeof value === 'number') return value;
  const match = BYTE_SIZE.exec(value.trim());
  const bytes = match ? Math.floor(Number(match[1]) * BYTE_UNITS[match[2].toUpperCase()]) : NaN;
  if (!(bytes > 0)) throw new ConfigError(`${what} ${JSON.stringify(value)} is not ${expected}`);
  return bytes;
}

/**
 * Smaller packs on SFTP: ssh2 keeps copies of what it sends, so an SFTP backup holds more memory
 * per pack in flight than the other types. 8 MiB packs keep it under 160 MiB at the same speed
 * (docs/benchmarks.md). The other types take the engine's 16 MiB.
 */
const DEFAULT_PACK_BYTES_BY_TYPE: Readonly<Partial<Record<RepositoryType, number>>> = { sftp: 8 * MIB };

/** 1–64 MiB: a backup holds a few packs whole in memory, so that a failed save can be retried. */
function parsePackSize(value: string | number): number {
  const expected = 'a size between 1M and 64M (e.g. 8M)';
  const bytes = parseByteSize(value, 'pack size', expected);
  if (bytes < MIB || bytes > 64 * MIB) throw new ConfigError(`pack size ${JSON.stringify(value)} is not ${expected}`);
  return bytes;
}

const encryption = z.union([
  z.object({ passwordFile: z.string().min(1) }).strict(),
  z.object({ keyFile: z.string().min(1) }).strict(),
  z.literal('none'),
]);

/** Seconds a remote repository's server may stay silent before a call to it fails and is retried. */
const idleTimeout = z.number().positive().max(3600).optional();

const common = {
  name: repositoryName,
  compression: z.enum(['zstd', 'gzip', 'none']).optional(),
  encryption: encryption.optional(),
  bandwidthLimit: z.union([z.string(), z.number().positive()]).optional(),
  packSize: z.union([z.string(), z.number().positive()]).optional(),
  replicateTo: z.array(repositoryName).default([]),
  projects: z.array(z.string().min(1)).min(1).optional(),
};

const entrySchema = z.discriminatedUnion('type', [
  z.object({ ...common, type: z.literal('local'), path: z.string().min(1) }).strict(),
  z
    .object({
      ...common,
      type: z.literal('sftp'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(22),
      user: z.string().min(1),
      path: z.string().min(1),
      hostKey: z.string().min(1),
      privateKeyFile: z.string().min(1),
      passphrase: secretRef.optional(),
      maxInFlight: z.number().int().min(1).max(64).optional(),
      timeout: idleTimeout,
    })
    .strict(),
  z
    .object({
      ...common,
      type: z.literal('s3'),
      endpoint: z.string().url().optional(),
      region: z.string().min(1).default('us-east-1'),
      bucket: z.string().min(1),
      prefix: z.string().optional(),
      forcePathStyle: z.boolean().default(false),
      partSize: z.union([z.string(), z.number().positive()]).optional(),
      accessKeyId: z.union([z.string().min(1), secretRef]),
      secretAccessKey: secretRef,
      sessionToken: secretRef.optional(),
      timeout: idleTimeout,
    })
    .strict(),
  z
    .object({
      ...common,
      type: z.literal('swift'),
      authUrl: z.string().url(),
      authVersion: z.enum(['1', '3']).default('1'),
      user: z.string().min(1),
      key: secretRef,
      userDomain: z.string().min(1).default('Default'),
      project: z.string().min(1).optional(),
      projectDomain: z.string().min(1).default('Default'),
      region: z.string().min(1).optional(),
      interface: z.enum(['public', 'internal', 'admin']).default('public'),
      container: z.string().min(1),
      prefix: z.string().optional(),
      timeout: idleTimeout,
    })
    .strict(),
]);

type Entry = z.infer<typeof entrySchema>;
export type LocalParams = Extract<Entry, { type: 'local' }>;
export type SftpParams = Extract<Entry, { type: 'sftp' }>;
export type S3Params = Extract<Entry, { type: 's3' }>;
export type SwiftParams = Extract<Entry, { type: 'swift' }>;

/** How a repository's data is encrypted: under a passphrase file, a key file, or not at all. */
export type RepositoryEncryption =
  | { readonly kind: 'passphrase'; readonly file: string }
  | { readonly kind: 'key-file'; readonly file: string; readonly generate: boolean }
  | { readonly kind: 'none' };

export interface RepositoryDefinition {
  readonly name: string;
  readonly type: RepositoryType;
  /** The type's own parameters (never secrets, only references to them). */
  readonly params: Entry;
  readonly compression: 'zstd' | 'gzip' | 'none';
  readonly encryption: RepositoryEncryption;
  readonly bandwidthBytesPerSec?: number;
  /** The pack size of the repository when it is created; undefined: the engine's (16 MiB). */
  readonly packSizeBytes?: number;
  /** Other repositories that receive a copy of every backup made to this one. */
  readonly replicateTo: readonly string[];
  /** The projects that may use it; undefined: every project. */
  readonly projects?: readonly string[];
}

export interface RepositoriesInput {
  /** FLOE_BACKUP_REPOSITORIES: JSON, or `@/path/file.json`. */
  readonly raw?: string;
  readonly defaultName?: string;
  readonly dataDir: string;
  readonly compression: 'zstd' | 'gzip' | 'none';
  /** The single-repository variables, used when `raw` is absent. */
  readonly legacy: { readonly path?: string; readonly passwordFile?: string; readonly keyFile?: string };
}

const VARIABLE = 'FLOE_BACKUP_REPOSITORIES';

/** The configured repositories (at least one) and which one is the default. */
export function parseRepositories(input: RepositoriesInput): { repositories: RepositoryDefinition[]; defaultRepository: string } {
  const entries = input.raw === undefined ? [legacyEntry(input)] : parseEntries(input.raw);
  const repositories = entries.map((entry) => define(entry, input));
  const names = new Set<string>();
  for (const r of repositories) {
    if (names.has(r.name)) throw new ConfigError(`${VARIABLE}: repository name ${r.name} is used twice`);
    names.add(r.name);
  }
  for (const r of repositories) {
    for (const target of r.replicateTo) {
      if (!names.has(target)) throw new ConfigError(`${VARIABLE}: ${r.name} replicates to ${target}, which is not configured`);
      if (target === r.name) throw new ConfigError(`${VARIABLE}: ${r.name} cannot replicate to itself`);
    }
  }
  const defaultRepository = input.defaultName ?? repositories[0].name;
  if (!names.has(defaultRepository)) throw new ConfigError(`FLOE_BACKUP_DEFAULT_REPOSITORY names ${defaultRepository}, which is not configured`);
  return { repositories, defaultRepository };
}

function legacyEntry(input: RepositoriesInput): Entry {
  const { legacy } = input;
  if (legacy.passwordFile !== undefined && legacy.keyFile !== undefined) {
    throw new ConfigError('FLOE_BACKUP_PASSWORD_FILE and FLOE_BACKUP_KEY_FILE cannot both be set');
  }
  const encryptionOf = legacy.passwordFile !== undefined ? { passwordFile: legacy.passwordFile } : legacy.keyFile !== undefined ? { keyFile: legacy.keyFile } : undefined;
  return {
    name: 'default',
    type: 'local',
    path: legacy.path ?? path.join(input.dataDir, 'backups'),
    encryption: encryptionOf,
    replicateTo: [],
  };
}

function parseEntries(raw: string): Entry[] {
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(raw.slice(1), 'utf8');
    } catch (err) {
      throw new ConfigError(`${VARIABLE}: cannot read ${raw.slice(1)} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${VARIABLE} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = z.array(entrySchema).min(1).safeParse(value);
  if (!parsed.success) throw new ConfigError(`${VARIABLE}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function define(entry: Entry, input: RepositoriesInput): RepositoryDefinition {
  return {
    name: entry.name,
    type: entry.type,
    params: entry,
    compression: entry.compression ?? input.compression,
    encryption: encryptionOf(entry, input.dataDir),
    bandwidthBytesPerSec: entry.bandwidthLimit === undefined ? undefined : parseBandwidth(entry.bandwidthLimit),
    packSizeBytes: entry.packSize === undefined ? DEFAULT_PACK_BYTES_BY_TYPE[entry.type] : parsePackSize(entry.packSize),
    replicateTo: entry.replicateTo,
    projects: entry.projects,
  };
}

/**
 * Without settings a repository is encrypted under a key file generated on the worker's first
 * start: `<dataDir>/backup.key` for `default` (as before named repositories), else `<dataDir>/keys/<name>.key`.
 */
function encryptionOf(entry: Entry, dataDir: string): RepositoryEncryption {
  if (entry.encryption === 'none') return { kind: 'none' };
  if (entry.encryption && 'passwordFile' in entry.encryption) return { kind: 'passphrase', file: entry.encryption.passwordFile };
  if (entry.encryption && 'keyFile' in entry.encryption) return { kind: 'key-file', file: entry.encryption.keyFile, generate: false };
  const file = entry.name === 'default' ? path.join(dataDir, 'backup.key') : path.join(dataDir, 'keys', `${entry.name}.key`);
  return { kind: 'key-file', file, generate: true };
}

/** Whether a project may back up to (and restore from) a repository. */
export function mayUseRepository(definition: RepositoryDefinition, projectId: string): boolean {
  return definition.projects === undefined || definition.projects.includes(projectId);
}
