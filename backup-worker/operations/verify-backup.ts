import { sql } from 'kysely';
import type { VerifyStatus } from '../../common/db/schema.js';
import { errorMessage } from '../../common/errors.js';
import type { VerifyReport } from '../engine/index.js';
import { fromAnyCopy } from '../backup-copies.js';
import { untilDatabaseAnswers } from '../../common/db/database-wait.js';
import { readBackup } from '../backup-records.js';
import { RepositoryUnavailableError } from '../repositories/resilient.js';
import type { BackupRuntime } from '../runtime.js';

/** Errors kept in `verify_result`; the count says how many more there were. */
const MAX_LISTED_ERRORS = 10;

/**
 * Floe's `os-verify`: re-reads every chunk of an `available` backup and checks it against its id;
 * the outcome is stored on the backup (`verify_status` ok | failed, `verify_result`, `verified_at`).
 * It does not change the backup's status, so it may run again after a crash (a redelivery).
 */
export async function verifyBackup(rt: BackupRuntime, backupId: string): Promise<void> {
  const backup = await readBackup(rt, backupId);
  if (backup?.verify_status !== 'verifying') {
    rt.log.info('request ignored: no verification asked for this backup', { backup_id: backupId });
    return;
  }
  let outcome: { status: VerifyStatus; result: string };
  try {
    // Another copy is used only when a repository cannot be reached: damage found is the answer.
    const { result, copy } = await fromAnyCopy(rt, backup, (repository) => repository.verify(backupId), (err) => err instanceof RepositoryUnavailableError);
    outcome = describe(result, copy.repository);
  } catch (err) {
    outcome = { status: 'failed', result: errorMessage(err) };
  }
  await untilDatabaseAnswers(rt, { backup_id: backupId }, () => recordVerification(rt, backupId, outcome.status, outcome.result));
  rt.log.info('backup verified', { backup_id: backupId, status: outcome.status });
}

function describe(report: VerifyReport, repository: string): { status: VerifyStatus; result: string } {
  if (report.ok) return { status: 'ok', result: `Copy in ${repository}: ${report.chunksChecked} chunks checked, no errors.` };
  const listed = report.errors.slice(0, MAX_LISTED_ERRORS).join('; ');
  const more = report.errors.length > MAX_LISTED_ERRORS ? ` (and ${report.errors.length - MAX_LISTED_ERRORS} more)` : '';
  return { status: 'failed', result: `Copy in ${repository}: ${report.chunksChecked} chunks checked, ${report.errors.length} errors: ${listed}${more}` };
}

/** Stores a verification's outcome while one is asked for (a dead letter records its failure too). */
export async function recordVerification(rt: Pick<BackupRuntime, 'db'>, backupId: string, status: VerifyStatus, result: string): Promise<void> {
  await rt.db
    .updateTable('backups')
    .set({ verify_status: status, verify_result: result, verified_at: sql<Date>`now()` })
    .where('id', '=', backupId)
    .where('verify_status', '=', 'verifying')
    .execute();
}
