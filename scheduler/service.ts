import type { FloeConfig } from '../common/config.js';
import type { RequestContext } from '../common/context.js';
import type { Db } from '../common/db/database.js';
import { errorMessage } from '../common/errors.js';
import { untilDatabaseAnswers } from '../common/db/database-wait.js';
import { getLogger } from '../common/logger.js';
import { startPeriodicTask } from '../common/periodic-task.js';
import { recordHeartbeat, recordServiceStopped } from '../common/service-heartbeat.js';
import type { RunningService } from '../common/service.js';
import { CAPABILITIES_EXCHANGE } from '../rpc/capabilities-api.js';
import { SCHEDULER_RPC_ARGS, SCHEDULER_TOPIC } from '../rpc/scheduler-api.js';
import type { Envelope, RpcTransport } from '../rpc/transport.js';
import { volumeRpcClient } from '../rpc/volume-api.js';
import { BackendStateView } from './backend-state-view.js';
import { failVolumeCreation, scheduleCreateVolume, type SchedulerRuntime } from './create-volume.js';
import { defaultPolicy } from './policy.js';
import { applyCapabilityReport, applyServiceStopped, refreshFromServices } from './volume-services.js';

export interface SchedulerServiceDeps {
  readonly config: FloeConfig;
  readonly db: Db;
  readonly rpc: RpcTransport;
}

/** A message that failed every delivery attempt: its volume goes to `error`, with the reason. */
async function onDeadLetter(rt: SchedulerRuntime, envelope: Envelope, error: Error): Promise<void> {
  const args = SCHEDULER_RPC_ARGS.createVolume.safeParse(envelope.args);
  if (envelope.method !== 'createVolume' || !args.success) return;
  const reason = `Scheduling failed: ${errorMessage(error)}`;
  const failure = { statusReason: reason, userMessage: `schedule allocate volume: ${reason}` };
  await failVolumeCreation(rt, args.data.volumeId, failure, envelope.context);
}

/**
 * The filter scheduler: keeps a view of the backends (services rows + capability fanout), places
 * each `createVolume` on the scheduler topic, and keeps its own `floe-scheduler` services row fresh.
 */
export async function startSchedulerService(deps: SchedulerServiceDeps): Promise<RunningService> {
  const { config, db, rpc } = deps;
  const log = getLogger('scheduler');
  const stopping = new AbortController();
  const rt: SchedulerRuntime = {
    db,
    view: new BackendStateView(),
    policy: defaultPolicy({
      serviceDownTimeMs: config.serviceDownTimeMs,
      capacityWeightMultiplier: config.scheduler.capacityWeightMultiplier,
    }),
    volumeRpc: volumeRpcClient(rpc),
    signal: stopping.signal,
    log,
  };
  const heartbeat = async (): Promise<void> => {
    await recordHeartbeat(db, { binary: 'floe-scheduler', host: config.host, availabilityZone: config.defaultAvailabilityZone });
    await refreshFromServices(db, rt.view, log);
  };
  await heartbeat();
  const reports = await rpc.subscribe(CAPABILITIES_EXCHANGE, {
    reportCapabilities: async (args) => applyCapabilityReport(rt.view, args, log),
    serviceStopped: async (args) => applyServiceStopped(rt.view, args, log),
  });
  const consumer = await rpc.serve(
    SCHEDULER_TOPIC,
    // A request waits for a database that cannot be reached rather than be dead-lettered (database-wait.ts).
    { createVolume: (args, ctx: RequestContext) => untilDatabaseAnswers(rt, { method: 'createVolume' }, () => scheduleCreateVolume(rt, args, ctx)) },
    { onDeadLetter: (envelope, error) => onDeadLetter(rt, envelope, error) },
  );
  const periodic = startPeriodicTask('scheduler heartbeat', config.reportIntervalMs, heartbeat, log);
  log.info('scheduler started', { host: config.host, backends: rt.view.list().length });
  return {
    name: 'floe-scheduler',
    stop: async () => {
      stopping.abort(new Error('The scheduler is stopping.'));
      await consumer.stop();
      await reports.stop();
      await periodic.stop();
      await recordServiceStopped(db, 'floe-scheduler', config.host);
      log.info('scheduler stopped', { host: config.host });
    },
  };
}
