import { errorMessage } from '../common/errors.js';
import { failBackup } from '../common/backup-failure.js';
import { untilDatabaseAnswers } from '../common/db/database-wait.js';
import { BACKUP_RPC_ARGS, type BackupMethod } from '../rpc/backup-api.js';
import { parseRpcArgs } from '../rpc/args.js';
import type { Envelope, Handler } from '../rpc/transport.js';
import { createBackup } from './operations/create-backup.js';
import { deleteBackup } from './operations/delete-backup.js';
import { restoreBackup } from './operations/restore-backup.js';
import { recordVerification, verifyBackup } from './operations/verify-backup.js';
import type { BackupRuntime } from './runtime.js';

/**
 * The RPC handlers of the backup topic (rpc/backup-api.ts), arguments validated at the edge; each
 * operation counts as running on its backup (rt.running) while it runs, and waits for a database
 * that cannot be reached (untilDatabaseAnswers).
 */
export function backupHandlers(rt: BackupRuntime): Record<BackupMethod, Handler> {
  const perform = (backupId: string, operation: () => Promise<void>) =>
    rt.running.run(backupId, () => untilDatabaseAnswers(rt, { backup_id: backupId }, operation));
  return {
    createBackup: async (args) => {
      const { backupId } = parseRpcArgs(BACKUP_RPC_ARGS.createBackup, args);
      await perform(backupId, () => createBackup(rt, backupId));
    },
    restoreBackup: async (args) => {
      const { backupId, volumeId } = parseRpcArgs(BACKUP_RPC_ARGS.restoreBackup, args);
      await perform(backupId, () => restoreBackup(rt, backupId, volumeId));
    },
    deleteBackup: async (args) => {
      const { backupId } = parseRpcArgs(BACKUP_RPC_ARGS.deleteBackup, args);
      await perform(backupId, () => deleteBackup(rt, backupId));
    },
    verifyBackup: async (args) => {
      const { backupId } = parseRpcArgs(BACKUP_RPC_ARGS.verifyBackup, args);
      await perform(backupId, () => verifyBackup(rt, backupId));
    },
  };
}

function isBackupMethod(method: string): method is BackupMethod {
  return Object.hasOwn(BACKUP_RPC_ARGS, method);
}

/**
 * A request that failed every delivery: the backup's operation ends as failed with the reason
 * (backup → error, restore → volume error_restoring, delete → error_deleting, verify → failed).
 */
export async function onBackupDeadLetter(rt: BackupRuntime, envelope: Envelope, error: Error): Promise<void> {
  if (!isBackupMethod(envelope.method)) return;
  const args = BACKUP_RPC_ARGS[envelope.method].safeParse(envelope.args);
  if (!args.success) return;
  const reason = `Gave up after repeated failures: ${errorMessage(error)}`;
  if (envelope.method === 'verifyBackup') await recordVerification(rt, args.data.backupId, 'failed', reason);
  else await failBackup(rt.db, args.data.backupId, reason);
}
