import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../common/logger.js';
import type { RepositoryEncryption } from '../common/repository-config.js';
import type { RepositorySecret } from './engine/index.js';

/** 256 random bits, hex, as the generated key file's content. */
const GENERATED_KEY_BYTES = 32;

/**
 * The secret that opens a repository: the passphrase file's content (trailing newline removed) or
 * the key file; none for an unencrypted one. A generated key file is created on the first start
 * (mode 0600, never overwritten: `wx`), so a fresh installation is encrypted without any set-up.
 */
export async function repositorySecret(encryption: RepositoryEncryption, log: Logger): Promise<RepositorySecret> {
  if (encryption.kind === 'none') return {};
  if (encryption.kind === 'passphrase') {
    const passphrase = (await readFile(encryption.file, 'utf8')).replace(/\r?\n$/, '');
    return { passphrase };
  }
  if (encryption.generate) await ensureKeyFile(encryption.file, log);
  return { keyFile: encryption.file };
}

async function ensureKeyFile(file: string, log: Logger): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const key = `${randomBytes(GENERATED_KEY_BYTES).toString('hex')}\n`;
  try {
    await writeFile(file, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  log.warn('generated the backup repository key file; keep a copy of it, the backups cannot be read without it', { key_file: file });
}
