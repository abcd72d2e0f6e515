import { randomBytes } from 'node:crypto';
import { UnsupportedFormatError } from './errors.js';
import type { KdfParams } from './keys.js';

// The names a config may hold are permanent: never reuse one. They live here, not beside the codecs,
// so that reading a config loads neither zstd's nor BLAKE3's native binding (see unlock.ts).
export const COMPRESSIONS = ['zstd', 'gzip', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
export const CHUNK_ID_HASHES = ['sha256', 'blake3'] as const;
export type ChunkIdHash = (typeof CHUNK_ID_HASHES)[number];

export function isCompression(value: string): value is Compression {
  return (COMPRESSIONS as readonly string[]).includes(value);
}

/** Version 1 (ids by SHA-256) is still read; new repositories are written as version 2 (BLAKE3). */
export const FORMAT_VERSION = 2;
const READABLE_VERSIONS: readonly unknown[] = [1, FORMAT_VERSION];
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
export const DEFAULT_PACK_BYTES = 16 * 1024 * 1024;
export const CONFIG_HANDLE = { kind: 'config', name: 'config' } as const;

/** The plaintext `config` object: everything needed to open the repository. */
export interface RepositoryConfig {
  readonly formatVersion: number;
  readonly repositoryId: string;
  readonly chunkSizeBytes: number;
  readonly packSizeBytes: number;
  readonly compression: Compression;
  /** How chunk ids are computed (keyed by the MAC key when encrypted). */
  readonly chunkIdHash: ChunkIdHash;
  readonly createdAt: string;
  readonly encryption: EncryptionConfig | null;
}

export interface EncryptionConfig {
  readonly cipher: 'aes-256-gcm';
  readonly kdf: KdfParams;
  /** The master keys sealed under the KDF's key, bound to the repository id. */
  readonly wrappedKey: string;
}

export function newRepositoryId(): string {
  return randomBytes(32).toString('hex');
}

export function parseConfig(bytes: Buffer): RepositoryConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UnsupportedFormatError('the config object is not JSON');
  }
  const version = (raw as { formatVersion?: unknown })?.formatVersion;
  if (!READABLE_VERSIONS.includes(version)) throw new UnsupportedFormatError(`format version ${String(version)}`);
  const problem = configProblem(raw as Record<string, unknown>);
  if (problem) throw new UnsupportedFormatError(`invalid config (${problem})`);
  const { chunkIdHash, ...config } = raw as RepositoryConfig;
  if (config.formatVersion === 1) return { ...config, chunkIdHash: 'sha256' };
  if (chunkIdHash === undefined) throw new UnsupportedFormatError('invalid config (chunkIdHash is missing)');
  return { ...config, chunkIdHash };
}

/**
 * What is wrong with a config object, if anything. Checked by hand, not with zod (which checks the
 * service's inputs): every floe-agent command reads this object, and loading zod's modules alone
 * took 0.12 s of CPU here, more than a tenth of an incremental backup.
 */
function configProblem(c: Record<string, unknown>): string | undefined {
  if (typeof c.repositoryId !== 'string' || !/^[0-9a-f]{64}$/.test(c.repositoryId)) return 'repositoryId is not 64 hex characters';
  if (!positiveInteger(c.chunkSizeBytes) || !positiveInteger(c.packSizeBytes)) return 'chunk or pack size is not a positive integer';
  if (typeof c.compression !== 'string' || !isCompression(c.compression)) return `unknown compression ${String(c.compression)}`;
  if (c.chunkIdHash !== undefined && !(CHUNK_ID_HASHES as readonly unknown[]).includes(c.chunkIdHash)) return `unknown chunk id hash ${String(c.chunkIdHash)}`;
  if (typeof c.createdAt !== 'string') return 'createdAt is not a string';
  if (c.encryption === null) return undefined;
  const e = c.encryption as Record<string, unknown> | undefined;
  if (typeof e !== 'object' || e === null) return 'encryption is neither an object nor null';
  if (e.cipher !== 'aes-256-gcm') return `unknown cipher ${String(e.cipher)}`;
  if (typeof e.wrappedKey !== 'string') return 'wrappedKey is not a string';
  return kdfProblem(e.kdf as Record<string, unknown> | undefined);
}

function kdfProblem(kdf: Record<string, unknown> | undefined): string | undefined {
  if (typeof kdf !== 'object' || kdf === null || typeof kdf.salt !== 'string') return 'kdf has no salt';
  if (kdf.name === 'hkdf-sha256') return undefined;
  if (kdf.name !== 'scrypt') return `unknown kdf ${String(kdf.name)}`;
  return [kdf.N, kdf.r, kdf.p].every(positiveInteger) ? undefined : 'scrypt parameters are not positive integers';
}

function positiveInteger(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) > 0;
}
