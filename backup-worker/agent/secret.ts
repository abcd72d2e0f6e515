import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../../common/errors.js';
import type { RepositorySecret } from '../engine/index.js';

export interface SecretOptions {
  readonly passwordFile?: string;
  readonly keyFile?: string;
}

/** --password-file, FLOE_REPO_PASSWORD, --key-file, FLOE_REPO_KEY_FILE, in that order; none: no secret. */
export async function resolveSecret(options: SecretOptions, env: NodeJS.ProcessEnv): Promise<RepositorySecret> {
  if (options.passwordFile !== undefined) return { passphrase: await readPassword(options.passwordFile) };
  if (options.keyFile !== undefined) return { keyFile: options.keyFile };
  if (env.FLOE_REPO_PASSWORD) return { passphrase: env.FLOE_REPO_PASSWORD };
  if (env.FLOE_REPO_KEY_FILE) return { keyFile: env.FLOE_REPO_KEY_FILE };
  return {};
}

async function readPassword(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InvalidInputError(`cannot read password file ${path} (${err.code ?? err.message})`);
  });
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase.length === 0) throw new InvalidInputError(`password file ${path} is empty`);
  return passphrase;
}
