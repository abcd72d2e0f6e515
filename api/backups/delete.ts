import type { RequestContext } from '../../common/context.js';
import { transitionBackup, type BackupTransition } from '../../common/status.js';
import type { ApiDeps } from '../deps.js';
import { commitWithBackupCasts } from './casts.js';
import { getBackup, type BackupScope } from './queries.js';

/**
 * `DELETE /backups/{id}` (transition `delete`: available or error) and `os-force_delete`
 * (`forceDelete`: also error_deleting): the backup goes to `deleting` and a backup worker removes it
 * from the repository. No backup depends on another, so none is refused for having dependents.
 */
export async function deleteBackup(
  deps: ApiDeps,
  context: RequestContext,
  scope: BackupScope,
  id: string,
  transition: Extract<BackupTransition, 'delete' | 'forceDelete'> = 'delete',
): Promise<void> {
  const backup = await getBackup(deps.db, scope, id);
  await commitWithBackupCasts(deps, context, async (trx, casts) => {
    await transitionBackup(trx, backup.id, transition, { set: { fail_reason: null } });
    await casts.toWorker('deleteBackup', { backupId: backup.id });
  });
}
