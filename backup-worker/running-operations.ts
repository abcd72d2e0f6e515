/**
 * The backups this process runs an operation on. A backup whose row names this worker as its host
 * in `creating` or `restoring`, but which is not in here, was left by an operation that ended
 * without recording its end: resolveOrphaned (resolve-interrupted.ts) ends it.
 */
export class RunningOperations {
  readonly #counts = new Map<string, number>();
  readonly #resolving = new Map<string, Promise<unknown>>();

  /**
   * Counts `backupId` as running from before `operation` starts (before it takes the row) until it
   * ends; waits first for a resolution of that backup in progress (ifIdle).
   */
  async run<T>(backupId: string, operation: () => Promise<T>): Promise<T> {
    for (let pending = this.#resolving.get(backupId); pending; pending = this.#resolving.get(backupId)) await pending;
    this.#counts.set(backupId, (this.#counts.get(backupId) ?? 0) + 1);
    try {
      return await operation();
    } finally {
      const left = this.#counts.get(backupId)! - 1;
      if (left === 0) this.#counts.delete(backupId);
      else this.#counts.set(backupId, left);
    }
  }

  /**
   * Runs `resolve` when no operation runs on the backup, and holds back any that starts meanwhile
   * until it is done, so that a row checked as left behind is not taken by a new operation before
   * `resolve` ends it. False (and `resolve` not run) when an operation runs.
   */
  async ifIdle(backupId: string, resolve: () => Promise<void>): Promise<boolean> {
    if (this.#counts.has(backupId) || this.#resolving.has(backupId)) return false;
    const resolution = resolve();
    this.#resolving.set(backupId, resolution.catch(() => undefined));
    try {
      await resolution;
    } finally {
      this.#resolving.delete(backupId);
    }
    return true;
  }
}
