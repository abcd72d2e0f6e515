import { hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../../common/errors.js';
import { seal, unseal } from './cipher.js';
import { WrongKeyError } from './errors.js';

/** Neither: an unencrypted repository. */
export interface RepositorySecret {
  readonly passphrase?: string;
  readonly keyFile?: string;
}

/** The repository's own keys, random at init and stored only wrapped. */
export interface MasterKeys {
  readonly encryptionKey: Buffer;
  readonly macKey: Buffer;
}

export type KdfParams =
  | { readonly name: 'scrypt'; readonly N: number; readonly r: number; readonly p: number; readonly salt: string }
  | { readonly name: 'hkdf-sha256'; readonly salt: string };

export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

export function newMasterKeys(): MasterKeys {
  return { encryptionKey: randomBytes(KEY_BYTES), macKey: randomBytes(KEY_BYTES) };
}

/** scrypt for a passphrase; HKDF for a key file (already high-entropy). */
export function newKdfParams(secret: RepositorySecret): KdfParams {
  const salt = randomBytes(32).toString('base64');
  return secret.keyFile !== undefined ? { name: 'hkdf-sha256', salt } : { name: 'scrypt', ...SCRYPT_DEFAULTS, salt };
}

/** The key-encryption key for a secret under the repository's KDF parameters. */
export async function deriveKek(secret: RepositorySecret, kdf: KdfParams): Promise<Buffer> {
  const salt = Buffer.from(kdf.salt, 'base64');
  if (kdf.name === 'hkdf-sha256') {
    if (secret.keyFile === undefined) throw new WrongKeyError('this repository is opened with a key file');
    const material = await readKeyFile(secret.keyFile);
    return Buffer.from(hkdfSync('sha256', material, salt, 'floe repository key', KEY_BYTES));
  }
  if (secret.passphrase === undefined) throw new WrongKeyError('this repository is opened with a passphrase');
  return scryptAsync(secret.passphrase, salt, kdf);
}

export function wrapKeys(keys: MasterKeys, kek: Buffer, aad: Buffer): string {
  return seal(kek, [keys.encryptionKey, keys.macKey], aad).toString('base64');
}

export function unwrapKeys(wrapped: string, kek: Buffer, aad: Buffer): MasterKeys {
  const plain = unseal(kek, Buffer.from(wrapped, 'base64'), aad);
  if (!plain || plain.length !== 2 * KEY_BYTES) throw new WrongKeyError();
  return { encryptionKey: plain.subarray(0, KEY_BYTES), macKey: plain.subarray(KEY_BYTES) };
}

async function readKeyFile(path: string): Promise<Buffer> {
  const material = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new InvalidInputError(`cannot read key file ${path} (${err.code ?? err.message})`);
  });
  if (material.length < 16) throw new InvalidInputError(`key file ${path} holds fewer than 16 bytes`);
  return material;
}

function scryptAsync(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  const maxmem = 256 * p.N * p.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, KEY_BYTES, { N: p.N, r: p.r, p: p.p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
