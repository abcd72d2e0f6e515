import { ConfigError, loadConfig, type FloeConfig } from '../common/config.js';
import { migrateToLatest, openDatabase, type Db } from '../common/db/database.js';
import { configureLogging, getLogger } from '../common/logger.js';
import type { RunningService } from '../common/service.js';
import { failBackup } from '../common/backup-failure.js';
import { failVolume } from '../common/volume-failure.js';
import { connectRpc } from '../rpc/amqp-transport.js';
import { Outbox } from '../rpc/outbox.js';
import type { RpcTransport } from '../rpc/transport.js';
import { startApiService } from '../api/server.js';
import { startBackupService } from '../backup-worker/service.js';
import { startSchedulerService } from '../scheduler/service.js';
import { startVolumeService } from '../volume-worker/service.js';

export type ServiceKind = 'api' | 'scheduler' | 'volume' | 'backup';

const log = getLogger('launcher');

interface Runtime {
  readonly config: FloeConfig;
  readonly db: Db;
  readonly rpc: RpcTransport;
}

function makeOutbox({ config, db, rpc }: Runtime): Outbox {
  return new Outbox(db, rpc, {
    publishDeadlineMs: config.rpc.publishDeadlineMs,
    onUndeliverable: async (resource, reason, context) => {
      if (resource?.kind === 'volume') await failVolume(db, resource.id, reason, context);
      if (resource?.kind === 'backup') await failBackup(db, resource.id, reason);
    },
  });
}

async function startKind(kind: ServiceKind, runtime: Runtime, outbox: Outbox): Promise<RunningService[]> {
  switch (kind) {
    case 'api':
      return [await startApiService({ config: runtime.config, db: runtime.db, outbox })];
    case 'scheduler':
      return [await startSchedulerService(runtime)];
    case 'volume': {
      const backends = runtime.config.backends.filter((b) => runtime.config.volumeBackends.includes(b.name));
      return Promise.all(backends.map((backend) => startVolumeService({ ...runtime, backend })));
    }
    case 'backup':
      return [await startBackupService(runtime)];
  }
}

/**
 * Starts the given services in this process and stops them cleanly on SIGTERM/SIGINT: the API stops
 * accepting first, then consumers finish their in-flight messages (unfinished ones are requeued by the
 * broker), then the outbox, the bus and the database are closed.
 */
export async function launch(processName: string, kinds: readonly ServiceKind[]): Promise<{ config: FloeConfig; services: RunningService[] }> {
  let config: FloeConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  configureLogging(config.log.level, config.log.format);
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const rpc = await connectRpc(config.rabbitmqUrl, {
    prefetch: config.rpc.prefetch,
    callTimeoutMs: config.rpc.callTimeoutMs,
    maxAttempts: config.rpc.maxAttempts,
    connectionName: `${processName}@${config.host}`,
  });
  const runtime: Runtime = { config, db, rpc };
  const outbox = makeOutbox(runtime);
  outbox.start();
  const services: RunningService[] = [];
  // Workers first, so that nothing the API accepts waits for a consumer that is still starting.
  for (const kind of [...kinds].reverse()) services.unshift(...(await startKind(kind, runtime, outbox)));
  installShutdown(processName, async () => {
    for (const service of services) await service.stop();
    await outbox.stop();
    await rpc.close();
    await db.destroy();
  });
  log.info('started', { process: processName, services: services.map((s) => s.name) });
  return { config, services };
}

function installShutdown(processName: string, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { process: processName, signal });
    shutdown()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error('unclean shutdown', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    log.error('failed to start', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
}
