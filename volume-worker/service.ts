import type { BackendConfig, FloeConfig } from '../common/config.js';
import type { Db } from '../common/db/database.js';
import { getLogger } from '../common/logger.js';
import { startPeriodicTask } from '../common/periodic-task.js';
import type { RunningService } from '../common/service.js';
import { schedulerRpcClient } from '../rpc/scheduler-api.js';
import type { RpcTransport } from '../rpc/transport.js';
import { volumeTopic } from '../rpc/volume-api.js';
import { reportCapabilities, reportStopped } from './capability-reporter.js';
import { createDriver } from './drivers/index.js';
import { onVolumeDeadLetter, volumeHandlers } from './manager.js';
import { resolveInterrupted } from './operations/resolve-interrupted.js';
import type { WorkerRuntime } from './worker-runtime.js';

export interface VolumeServiceDeps {
  readonly config: FloeConfig;
  readonly db: Db;
  readonly rpc: RpcTransport;
  readonly backend: BackendConfig;
}

/**
 * One volume worker for `config.host@backend.name`: sets the driver up, reports capabilities,
 * resolves what a crash left transitional, then consumes volumeTopic(host@backend) and reports
 * again every `config.reportIntervalMs`.
 */
export async function startVolumeService(deps: VolumeServiceDeps): Promise<RunningService> {
  const { config, db, rpc, backend } = deps;
  const backendHost = `${config.host}@${backend.name}`;
  const log = getLogger(`volume:${backendHost}`);
  const stopping = new AbortController();
  const rt: WorkerRuntime = {
    db,
    driver: createDriver(backend),
    backendHost,
    maxAttempts: config.scheduler.maxAttempts,
    scheduler: schedulerRpcClient(rpc),
    signal: stopping.signal,
    log,
  };
  await rt.driver.setup();
  const report = () => reportCapabilities(rt, rpc);
  await report();
  await resolveInterrupted(rt);
  const consumer = await rpc.serve(volumeTopic(backendHost), volumeHandlers(rt), {
    onDeadLetter: (envelope, error) => onVolumeDeadLetter(rt, envelope, error),
  });
  const periodic = startPeriodicTask(`capability report of ${backendHost}`, config.reportIntervalMs, report, log);
  log.info('volume service started', { host: backendHost, driver: backend.driver, path: backend.path });
  return {
    name: `floe-volume ${backendHost}`,
    stop: async () => {
      stopping.abort(new Error('The volume worker is stopping.'));
      await consumer.stop();
      await periodic.stop();
      await reportStopped(rt, rpc);
      log.info('volume service stopped', { host: backendHost });
    },
  };
}
