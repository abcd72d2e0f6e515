export { BackupRepository, type InitOptions } from './backup-repository.js';
export type { BackupOptions, BackupSummary } from './backup.js';
export type { BlockSource, Progress } from './block-source.js';
export {
  BackupNotFoundError,
  IntegrityError,
  RepositoryExistsError,
  RepositoryLockedError,
  RepositoryNotInitializedError,
  UnsupportedFormatError,
  WrongKeyError,
} from './errors.js';
export type { RepositorySecret } from './keys.js';
export type { ManifestSummary } from './manifest.js';
export type { PruneReport } from './prune.js';
export { COMPRESSIONS, FORMAT_VERSION, isCompression, type Compression, type RepositoryConfig } from './repo-config.js';
export type { RestoreOptions, RestoreSummary } from './restore.js';
export type { VerifyReport } from './verify.js';
export { openBlockFile } from '../sources/block-file.js';
