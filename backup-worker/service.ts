import type { FloeConfig } from '../common/config.js';
import type { Db } from '../common/db/database.js';
import { getLogger } from '../common/logger.js';
import { startPeriodicTask } from '../common/periodic-task.js';
import type { RunningService } from '../common/service.js';
import { recordHeartbeat, recordServiceStopped } from '../common/service-heartbeat.js';
import { BACKUP_TOPIC } from '../rpc/backup-api.js';
import type { RpcTransport } from '../rpc/transport.js';
import { backupHandlers, onBackupDeadLetter } from './manager.js';
import { resolveInterrupted, resolveOrphaned } from './operations/resolve-interrupted.js';
import { RepositorySet } from './repository-set.js';
import { RunningOperations } from './running-operations.js';
import type { BackupRuntime } from './runtime.js';

export interface BackupServiceDeps {
  readonly config: FloeConfig;
  readonly db: Db;
  readonly rpc: RpcTransport;
}

/**
 * The backup worker (`floe-backup`, Cinder's cinder-backup): opens the configured repositories in
 * the background (creating each, and its key file, on first use; their states go to the database),
 * resolves what a crash left transitional, then consumes the `floe-backup` topic alongside any other
 * backup worker, with a heartbeat in `services` that also re-checks the repositories and ends what an
 * operation left when it could not record its end (resolveOrphaned).
 */
export async function startBackupService({ config, db, rpc }: BackupServiceDeps): Promise<RunningService> {
  const log = getLogger(`backup:${config.host}`);
  const repositories = new RepositorySet(config.backup, db, { host: config.host, log });
  // Repositories open in the background: one that is down must not hold the worker's start.
  const opening = repositories.openAll();
  const abort = new AbortController();
  const rt: BackupRuntime = { config, db, repositories, host: config.host, signal: abort.signal, running: new RunningOperations(), log };
  const heartbeat = () => recordHeartbeat(db, { binary: 'floe-backup', host: config.host, availabilityZone: config.defaultAvailabilityZone });
  await heartbeat();
  await resolveInterrupted(rt);
  const consumer = await rpc.serve(BACKUP_TOPIC, backupHandlers(rt), {
    onDeadLetter: (envelope, error) => onBackupDeadLetter(rt, envelope, error),
  });
  const periodic = startPeriodicTask('backup heartbeat', config.reportIntervalMs, async () => {
    await heartbeat();
    await repositories.refresh();
    await resolveOrphaned(rt);
  }, log);
  log.info('backup service started', { host: config.host, repositories: config.backup.repositories.map((r) => r.name).join(','), default_repository: config.backup.defaultRepository });
  return {
    name: 'floe-backup',
    stop: async () => {
      abort.abort(new Error('The backup worker is stopping.'));
      await consumer.stop();
      await periodic.stop();
      await recordServiceStopped(db, 'floe-backup', config.host);
      await opening;
      await repositories.close();
      log.info('backup service stopped', { host: config.host });
    },
  };
}
