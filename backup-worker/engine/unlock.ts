import { ObjectNotFoundError } from '../repositories/repository.js';
import { RepositoryNotInitializedError, WrongKeyError } from './errors.js';
import { deriveKek, unwrapKeys, type MasterKeys, type RepositorySecret } from './keys.js';
import { CONFIG_HANDLE, parseConfig, type RepositoryConfig } from './repo-config.js';
import type { ObjectStore } from './store.js';

/** A repository's config, read and checked, and its keys (none when it is not encrypted). */
export interface UnlockedRepository {
  readonly config: RepositoryConfig;
  readonly keys: MasterKeys | undefined;
}

export interface UnlockHooks {
  /**
   * Called once the config is read, as the key derivation starts (or at once when there is none).
   * This module loads neither the rest of the engine nor its native bindings: a short-lived command
   * (floe-agent) loads those here, on the main thread, which is idle while scrypt runs on the
   * thread pool; a remote store has connected by then.
   */
  readonly onConfigRead?: () => void;
}

/** Reads a repository's config and unwraps its keys with the secret. */
export async function unlockRepository(store: ObjectStore, secret: RepositorySecret, hooks: UnlockHooks = {}): Promise<UnlockedRepository> {
  const config = parseConfig(await store.load(CONFIG_HANDLE).catch(notInitialized));
  hooks.onConfigRead?.();
  if (!config.encryption) return { config, keys: undefined };
  if (secret.passphrase === undefined && secret.keyFile === undefined) {
    throw new WrongKeyError('the repository is encrypted: give a passphrase or a key file');
  }
  const kek = await deriveKek(secret, config.encryption.kdf);
  return { config, keys: unwrapKeys(config.encryption.wrappedKey, kek, Buffer.from(config.repositoryId)) };
}

/** As unlockRepository; `undefined` when the repository has no config yet. */
export function unlockIfInitialized(store: ObjectStore, secret: RepositorySecret, hooks: UnlockHooks = {}): Promise<UnlockedRepository | undefined> {
  return unlockRepository(store, secret, hooks).catch((err: unknown) => {
    if (err instanceof RepositoryNotInitializedError) return undefined;
    throw err;
  });
}

function notInitialized(err: unknown): never {
  throw err instanceof ObjectNotFoundError ? new RepositoryNotInitializedError() : err;
}
