import type { RequestContext } from '../../common/context.js';
import type { Db } from '../../common/db/database.js';
import { BACKUP_RPC_VERSION, BACKUP_TOPIC, type BackupMethod, type BackupRpc } from '../../rpc/backup-api.js';
import type { ApiDeps } from '../deps.js';
import { commitWithCasts, type VolumeCasts } from '../volumes/casts.js';

/** The casts a backup operation may send, bound to one transaction (and those of volumes, for restores). */
export interface BackupCasts {
  toWorker<M extends BackupMethod>(method: M, args: BackupRpc[M]): Promise<void>;
  readonly volumes: VolumeCasts;
}

/**
 * Runs `work` in one transaction with the casts it causes (the outbox relays them after commit); a
 * cast that cannot be delivered in time fails its backup (resource kind `backup`).
 */
export function commitWithBackupCasts<T>(
  deps: ApiDeps,
  context: RequestContext,
  work: (trx: Db, casts: BackupCasts) => Promise<T>,
): Promise<T> {
  return commitWithCasts(deps, context, (trx, volumes) =>
    work(trx, {
      volumes,
      toWorker: (method, args) =>
        deps.outbox.enqueueCast(trx, BACKUP_TOPIC, method, args, context, {
          resource: { kind: 'backup', id: args.backupId },
          version: BACKUP_RPC_VERSION,
        }),
    }),
  );
}
