import { sql } from 'kysely';
import { isAdmin, type RequestContext } from '../../common/context.js';
import { ForbiddenError, InvalidInputError } from '../../common/errors.js';
import { setBackupStatus } from '../../common/status.js';
import type { ApiDeps } from '../deps.js';
import { NoSuchActionError } from '../http/errors.js';
import { actionOf } from '../http/validate.js';
import { commitWithBackupCasts } from './casts.js';
import { requireCompleteCopy } from './copies.js';
import { deleteBackup } from './delete.js';
import { getBackup, type BackupScope } from './queries.js';
import { parseBackupResetStatus, parseNoArgument } from './schema.js';

interface ActionTarget {
  readonly deps: ApiDeps;
  readonly context: RequestContext;
  readonly scope: BackupScope;
  readonly backupId: string;
}

type ActionHandler = (target: ActionTarget, args: unknown) => Promise<void>;

function requireAdmin(context: RequestContext): void {
  if (!isAdmin(context)) throw new ForbiddenError();
}

/** `os-reset_status` (admin): available or error, whatever the current status (compare-and-swap on it). */
async function resetStatus({ deps, scope, backupId }: ActionTarget, args: unknown): Promise<void> {
  const status = parseBackupResetStatus(args);
  const backup = await getBackup(deps.db, scope, backupId);
  await setBackupStatus(deps.db, backup.id, [backup.status], status);
}

/**
 * Floe's `os-verify`: a backup worker re-reads every chunk of an `available` backup; the outcome is
 * kept on the backup (`verify_status` verifying → ok | failed, `verify_result`, `verified_at`).
 * It needs a complete (`available`) copy to read.
 */
async function verify({ deps, context, scope, backupId }: ActionTarget, args: unknown): Promise<void> {
  parseNoArgument('os-verify', args);
  const backup = await getBackup(deps.db, scope, backupId);
  await commitWithBackupCasts(deps, context, async (trx, casts) => {
    const started = await trx
      .updateTable('backups')
      .set({ verify_status: 'verifying', verify_result: null, updated_at: sql<Date>`now()` })
      .where('id', '=', backup.id)
      .where('status', '=', 'available')
      .where((eb) => eb.or([eb('verify_status', 'is', null), eb('verify_status', '!=', 'verifying')]))
      .executeTakeFirst();
    if (started.numUpdatedRows === 0n) {
      throw new InvalidInputError(`Backup ${backup.id} must be available and not being verified already (status ${backup.status}, verify status ${backup.verify_status}).`);
    }
    await requireCompleteCopy(trx, backup.id);
    await casts.toWorker('verifyBackup', { backupId: backup.id });
  });
}

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  'os-reset_status': async (target, args) => {
    requireAdmin(target.context);
    await resetStatus(target, args);
  },
  'os-force_delete': async (target, args) => {
    requireAdmin(target.context);
    parseNoArgument('os-force_delete', args);
    await deleteBackup(target.deps, target.context, target.scope, target.backupId, 'forceDelete');
  },
  'os-verify': verify,
};

/** `POST /backups/{id}/action` with a one-key body naming the action; unknown actions are a 400. */
export async function runBackupAction(target: ActionTarget, body: unknown): Promise<void> {
  const [name, args] = actionOf(body);
  const handler = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!handler) throw new NoSuchActionError(name);
  await handler(target, args);
}
