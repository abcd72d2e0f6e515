import { FloeError } from '../../common/errors.js';

/** The passphrase or key file does not open this repository. */
export class WrongKeyError extends FloeError {
  constructor(detail = 'the passphrase or key file does not open this repository') {
    super('wrong_key', 400, `Wrong repository key: ${detail}.`);
  }
}

/** A chunk's content does not match its id (or cannot be read back): names backup and offset. */
export class IntegrityError extends FloeError {
  readonly backupId: string;
  readonly offset: number;

  constructor(backupId: string, offset: number, detail: string) {
    super('integrity_error', 500, `Backup ${backupId} is damaged at offset ${offset}: ${detail}.`);
    this.backupId = backupId;
    this.offset = offset;
  }
}

export class BackupNotFoundError extends FloeError {
  constructor(backupId: string) {
    super('backup_not_found', 404, `Backup ${backupId} could not be found in the repository.`);
  }
}

export class RepositoryNotInitializedError extends FloeError {
  constructor() {
    super('repository_not_initialized', 404, 'The repository is not initialized (no config object).');
  }
}

export class RepositoryExistsError extends FloeError {
  constructor() {
    super('repository_exists', 409, 'The repository is already initialized.');
  }
}

/** Another process holds a lock that excludes this operation. */
export class RepositoryLockedError extends FloeError {
  constructor(operation: string, holder: string) {
    super('repository_locked', 409, `Cannot ${operation}: the repository is locked by ${holder}.`);
  }
}

/** The repository's format is newer (or otherwise unknown) to this engine. */
export class UnsupportedFormatError extends FloeError {
  constructor(detail: string) {
    super('unsupported_format', 400, `Unsupported repository format: ${detail}.`);
  }
}
