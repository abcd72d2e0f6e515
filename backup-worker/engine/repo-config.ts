import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CHUNK_ID_HASHES, type ChunkIdHash } from './chunk-id.js';
import { isCompression, type Compression } from './compression.js';
import { UnsupportedFormatError } from './errors.js';
import type { KdfParams } from './keys.js';

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

const schema = z.object({
  formatVersion: z.union([z.literal(1), z.literal(FORMAT_VERSION)]),
  repositoryId: z.string().regex(/^[0-9a-f]{64}$/),
  chunkSizeBytes: z.number().int().positive(),
  packSizeBytes: z.number().int().positive(),
  compression: z.string().refine(isCompression),
  chunkIdHash: z.enum(CHUNK_ID_HASHES).optional(),
  createdAt: z.string(),
  encryption: z
    .object({
      cipher: z.literal('aes-256-gcm'),
      kdf: z.union([
        z.object({ name: z.literal('scrypt'), N: z.number(), r: z.number(), p: z.number(), salt: z.string() }),
        z.object({ name: z.literal('hkdf-sha256'), salt: z.string() }),
      ]),
      wrappedKey: z.string(),
    })
    .nullable(),
});

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
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UnsupportedFormatError(`invalid config (${parsed.error.issues[0]?.message})`);
  const { chunkIdHash, ...config } = parsed.data;
  if (config.formatVersion === 1) return { ...config, chunkIdHash: 'sha256' } as RepositoryConfig;
  if (chunkIdHash === undefined) throw new UnsupportedFormatError('invalid config (chunkIdHash is missing)');
  return { ...config, chunkIdHash } as RepositoryConfig;
}
