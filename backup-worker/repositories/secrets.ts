import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../../common/config-error.js';
import type { SecretRef } from '../../common/repository-config.js';

/**
 * Reads a credential from the environment variable or the file its reference names. A file others
 * could read is refused: credentials live only where Floe alone can read them. `what` says which
 * credential it is, for the operator ("the secretAccessKey of repository offsite").
 */
export async function readSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '') throw new ConfigError(`${what}: environment variable ${ref.env} is not set`);
    return value;
  }
  return (await readPrivateFile(ref.file, what)).toString('utf8').replace(/\r?\n$/, '');
}

/** A file holding a credential (a secret or a private key), refused when group or others may read it. */
export async function readPrivateFile(file: string, what: string): Promise<Buffer> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (err) {
    throw new ConfigError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${what}: ${file} is accessible to other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  return readFile(file);
}
