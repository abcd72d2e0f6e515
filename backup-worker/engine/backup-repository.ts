import { Readable } from 'node:stream';
import { InvalidInputError } from '../../common/errors.js';
import { ObjectNotFoundError } from '../repositories/repository.js';
import { runReplicatedBackup, type BackupOptions, type BackupSummary, type BackupTarget, type TargetOutcome } from './backup.js';
import { BlobCodec } from './blob-codec.js';
import type { BlockSource, Progress } from './block-source.js';
import { loadChunkIndex, type ChunkIndex } from './chunk-index.js';
import { BackupNotFoundError, RepositoryExistsError } from './errors.js';
import { deriveKek, newKdfParams, newMasterKeys, wrapKeys, type MasterKeys, type RepositorySecret } from './keys.js';
import { acquireLock, releaseLeftoverLocks, type HeldLock } from './lock.js';
import { isValidBackupId, loadManifest, manifestHandle, summarize, type Manifest, type ManifestSummary } from './manifest.js';
import { runPrune, type PruneReport } from './prune.js';
import {
  CONFIG_HANDLE,
  DEFAULT_CHUNK_BYTES,
  DEFAULT_PACK_BYTES,
  FORMAT_VERSION,
  newRepositoryId,
  type Compression,
  type RepositoryConfig,
} from './repo-config.js';
import { runRestore, type RestoreOptions, type RestoreSummary } from './restore.js';
import { objectExists, type ObjectStore } from './store.js';
import { unlockIfInitialized, unlockRepository, type UnlockedRepository } from './unlock.js';
import { runVerify, type VerifyReport } from './verify.js';

export interface InitOptions {
  readonly compression?: Compression;
  readonly encrypted?: boolean;
  /** Target pack size (DEFAULT_PACK_BYTES when absent); tests use small packs. */
  readonly packSizeBytes?: number;
}

/** An opened repository: config read, key unwrapped. Backups, restores, verify, prune. */
export class BackupRepository {
  readonly #store: ObjectStore;
  readonly #config: RepositoryConfig;
  readonly #codec: BlobCodec;

  private constructor(store: ObjectStore, config: RepositoryConfig, keys: MasterKeys | undefined) {
    this.#store = store;
    this.#config = config;
    this.#codec = new BlobCodec(keys, config.compression, config.chunkIdHash);
  }

  static async init(store: ObjectStore, secret: RepositorySecret, options: InitOptions = {}): Promise<BackupRepository> {
    if (await objectExists(store, CONFIG_HANDLE)) throw new RepositoryExistsError();
    const encrypted = options.encrypted ?? true;
    if (encrypted && secret.passphrase === undefined && secret.keyFile === undefined) {
      throw new InvalidInputError('an encrypted repository needs a passphrase or a key file');
    }
    const repositoryId = newRepositoryId();
    const keys = encrypted ? newMasterKeys() : undefined;
    const config: RepositoryConfig = {
      formatVersion: FORMAT_VERSION,
      repositoryId,
      chunkSizeBytes: DEFAULT_CHUNK_BYTES,
      packSizeBytes: options.packSizeBytes ?? DEFAULT_PACK_BYTES,
      compression: options.compression ?? 'zstd',
      chunkIdHash: 'blake3',
      createdAt: new Date().toISOString(),
      encryption: keys ? await encryptionConfig(keys, secret, repositoryId) : null,
    };
    await store.save(CONFIG_HANDLE, () => Readable.from([Buffer.from(JSON.stringify(config, null, 2))]));
    return new BackupRepository(store, config, keys);
  }

  static async open(store: ObjectStore, secret: RepositorySecret): Promise<BackupRepository> {
    const { config, keys } = await unlockRepository(store, secret);
    return new BackupRepository(store, config, keys);
  }

  static async openOrInit(store: ObjectStore, secret: RepositorySecret, options?: InitOptions): Promise<BackupRepository> {
    return BackupRepository.unlockedOrInit(store, secret, await unlockIfInitialized(store, secret), options);
  }

  /**
   * The repository whose config and keys the unlock functions (unlock.ts) have read; when they found
   * no config (`undefined`), a new repository.
   */
  static async unlockedOrInit(store: ObjectStore, secret: RepositorySecret, unlocked: UnlockedRepository | undefined, options?: InitOptions): Promise<BackupRepository> {
    return unlocked ? new BackupRepository(store, unlocked.config, unlocked.keys) : BackupRepository.init(store, secret, options);
  }

  /** Checks that the store still answers (reads the config object's size); removes locks left behind meanwhile. */
  async probe(): Promise<void> {
    await this.#store.stat(CONFIG_HANDLE);
    await releaseLeftoverLocks(this.#store);
  }

  get config(): RepositoryConfig {
    return this.#config;
  }

  async backup(source: BlockSource, options: BackupOptions): Promise<BackupSummary> {
    const [outcome] = await BackupRepository.backupToAll([this], source, options);
    if (!outcome.ok) throw outcome.error;
    return outcome.summary;
  }

  /**
   * One backup into several repositories from a single read of the source (replication). Each
   * repository ends on its own: one that fails (or cannot be locked) does not stop the others.
   */
  static async backupToAll(repositories: readonly BackupRepository[], source: BlockSource, options: BackupOptions): Promise<TargetOutcome[]> {
    if (!isValidBackupId(options.backupId)) throw new InvalidInputError(`invalid backup id ${options.backupId}`);
    const prepared = await Promise.all(repositories.map((r) => r.#prepareBackup(options.backupId).then((p) => ({ ok: true as const, ...p }), (error: unknown) => ({ ok: false as const, error }))));
    try {
      const ready = prepared.flatMap((p) => (p.ok ? [p.target] : []));
      const outcomes = ready.length > 0 ? await runReplicatedBackup(ready, source, options) : [];
      return prepared.map((p) => (p.ok ? outcomes.shift()! : { ok: false, error: p.error }));
    } finally {
      await Promise.all(prepared.map((p) => (p.ok ? p.lock.release() : undefined)));
    }
  }

  async #prepareBackup(backupId: string): Promise<{ target: BackupTarget; lock: HeldLock }> {
    // A shared lock does not keep out another backup of the same id, so the check need not wait for
    // it (one request's time less to start a backup on a remote repository).
    const exists = objectExists(this.#store, manifestHandle(backupId));
    exists.catch(() => undefined); // awaited below, once the lock is held
    const lock = await acquireLock(this.#store, 'shared', `backup ${backupId}`);
    try {
      if (await exists) throw new InvalidInputError(`backup ${backupId} already exists`);
      const index = await loadChunkIndex(this.#store, this.#codec);
      return { target: { store: this.#store, codec: this.#codec, config: this.#config, index }, lock };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  async restore(backupId: string, target: string, options: RestoreOptions = {}): Promise<RestoreSummary> {
    const [manifest, index] = await this.#manifestAndIndex(backupId);
    return runRestore({ store: this.#store, codec: this.#codec, index }, manifest, target, options);
  }

  async verify(backupId: string, options: { progress?: Progress } = {}): Promise<VerifyReport> {
    const [manifest, index] = await this.#manifestAndIndex(backupId);
    return runVerify({ store: this.#store, codec: this.#codec, index }, manifest, options.progress);
  }

  /** Both at once: two round trips to a remote store become one. */
  #manifestAndIndex(backupId: string): Promise<[Manifest, ChunkIndex]> {
    return Promise.all([loadManifest(this.#store, this.#codec, backupId), loadChunkIndex(this.#store, this.#codec)]);
  }

  /** Removes the manifest only; prune reclaims the data no other backup uses. */
  async deleteBackup(backupId: string): Promise<void> {
    if (!isValidBackupId(backupId)) throw new BackupNotFoundError(backupId);
    await this.#store.remove(manifestHandle(backupId)).catch((err: unknown) => {
      throw err instanceof ObjectNotFoundError ? new BackupNotFoundError(backupId) : err;
    });
  }

  async prune(): Promise<PruneReport> {
    const lock = await acquireLock(this.#store, 'exclusive', 'prune');
    try {
      return await runPrune(this.#store, this.#codec, this.#config);
    } finally {
      await lock.release();
    }
  }

  async listBackups(): Promise<ManifestSummary[]> {
    const summaries: ManifestSummary[] = [];
    for await (const info of this.#store.list('manifest')) {
      summaries.push(summarize(await loadManifest(this.#store, this.#codec, info.name)));
    }
    return summaries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  async close(): Promise<void> {
    await this.#store.close();
  }
}

async function encryptionConfig(keys: MasterKeys, secret: RepositorySecret, repositoryId: string): Promise<RepositoryConfig['encryption']> {
  const kdf = newKdfParams(secret);
  const kek = await deriveKek(secret, kdf);
  return { cipher: 'aes-256-gcm', kdf, wrappedKey: wrapKeys(keys, kek, Buffer.from(repositoryId)) };
}
