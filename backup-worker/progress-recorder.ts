import { errorMessage } from '../common/errors.js';
import type { Progress } from './engine/index.js';
import type { BackupRuntime } from './runtime.js';

/** How often the running operation's byte counts are written to its row. */
export const PROGRESS_INTERVAL_MS = 1000;

export interface ProgressRecorder {
  /** Handed to the engine: remembers the latest counts, writes them at most once per interval. */
  readonly progress: Progress;
  /** Waits for a write in flight (call before the final status update). */
  settle(): Promise<void>;
}

/**
 * Writes `progress_done_bytes` / `progress_total_bytes` of a backup this worker runs, throttled so
 * a fast engine costs one UPDATE a second; never two writes in flight. The latest counts are always
 * written in the end (a trailing write), so a burst of reads followed by a long upload does not
 * leave the row behind. A failed write is logged only: progress is informative, the operation goes on.
 */
export function recordProgress(rt: BackupRuntime, backupId: string, intervalMs = PROGRESS_INTERVAL_MS): ProgressRecorder {
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();
  let latest: [number, number] | undefined;
  let trailing: NodeJS.Timeout | undefined;
  const write = async (done: number, total: number) => {
    try {
      await rt.db
        .updateTable('backups')
        .set({ progress_done_bytes: done, progress_total_bytes: total })
        .where('id', '=', backupId)
        .where('host', '=', rt.host)
        .where('status', 'in', ['creating', 'restoring'])
        .execute();
    } catch (err) {
      rt.log.warn('could not record progress', { backup_id: backupId, error: errorMessage(err) });
    }
  };
  const flush = (): Promise<void> => {
    clearTimeout(trailing);
    trailing = undefined;
    const counts = latest;
    latest = undefined;
    if (!counts) return writing;
    lastWrite = Date.now();
    writing = writing.then(() => write(...counts));
    return writing;
  };
  const progress: Progress = (done, total) => {
    latest = [done, total];
    const wait = lastWrite + intervalMs - Date.now();
    if (wait <= 0) void flush();
    else trailing ??= setTimeout(() => void flush(), wait);
  };
  return { progress, settle: flush };
}
