import { sql } from 'kysely';
import type { RequestContext } from '../common/context.js';
import type { Db } from '../common/db/database.js';
import type { VolumeRow } from '../common/db/schema.js';
import { NoValidBackendError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { MESSAGE_EVENTS } from '../common/messages.js';
import { failVolumeTransition } from '../common/volume-failure.js';
import { parseRpcArgs } from '../rpc/args.js';
import { SCHEDULER_RPC_ARGS } from '../rpc/scheduler-api.js';
import { backendHostOf, type volumeRpcClient } from '../rpc/volume-api.js';
import { backendLocation, type BackendState } from './backend-state.js';
import type { BackendStateView } from './backend-state-view.js';
import type { ScheduleRequest } from './schedule-request.js';
import type { SchedulerPolicy } from './select-backend.js';
import { refreshFromServices } from './volume-services.js';

/** What the scheduler's RPC handlers work with. */
export interface SchedulerRuntime {
  readonly db: Db;
  readonly view: BackendStateView;
  readonly policy: SchedulerPolicy;
  readonly volumeRpc: ReturnType<typeof volumeRpcClient>;
  /** Aborted when the service stops (ends its waits for the database). */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

const NO_BACKEND_MESSAGE = 'schedule allocate volume: Could not find any available weighted backend.';

/**
 * `createVolume` on the scheduler topic. Idempotent: a volume no longer `creating` is ignored; one
 * that already has a host was scheduled by an earlier delivery whose hand-off may have been lost,
 * so it is handed to that backend again (the worker ignores a duplicate).
 */
export async function scheduleCreateVolume(rt: SchedulerRuntime, args: unknown, ctx: RequestContext): Promise<void> {
  const { volumeId } = parseRpcArgs(SCHEDULER_RPC_ARGS.createVolume, args);
  const volume = await rt.db.selectFrom('volumes').selectAll().where('id', '=', volumeId).executeTakeFirst();
  if (volume?.status !== 'creating') {
    rt.log.info('createVolume ignored: volume is not creating', { volume_id: volumeId, status: volume?.status });
    return;
  }
  if (volume.host !== null) {
    await rt.volumeRpc.createVolume(backendHostOf(volume.host), { volumeId }, ctx);
    return;
  }
  await placeVolume(rt, volume, ctx);
}

async function placeVolume(rt: SchedulerRuntime, volume: VolumeRow, ctx: RequestContext): Promise<void> {
  const request = await scheduleRequestFor(rt.db, volume);
  let selection = rt.view.select(request, rt.policy);
  if (selection.kind === 'none') {
    // A backend that registered since the last refresh is not in the view yet: look once more.
    await refreshFromServices(rt.db, rt.view, rt.log);
    selection = rt.view.select(request, rt.policy);
  }
  if (selection.kind === 'none') {
    await failVolumeCreation(rt, volume.id, noValidBackend(selection.reason), ctx);
    return;
  }
  const assigned = await assignBackend(rt.db, volume, selection.backend).finally(() => rt.view.settle(selection.backend.host));
  if (!assigned) {
    rt.log.info('createVolume ignored: volume was scheduled concurrently', { volume_id: volume.id });
    return;
  }
  rt.log.info('volume scheduled', { volume_id: volume.id, host: backendLocation(selection.backend) });
  await rt.volumeRpc.createVolume(selection.backend.host, { volumeId: volume.id }, ctx);
}

async function scheduleRequestFor(db: Db, volume: VolumeRow): Promise<ScheduleRequest> {
  const type = await db
    .selectFrom('volume_types')
    .select('extra_specs')
    .where('id', '=', volume.volume_type_id)
    .executeTakeFirst();
  return {
    volumeId: volume.id,
    sizeGb: volume.size,
    availabilityZone: volume.availability_zone,
    extraSpecs: type?.extra_specs ?? {},
    excludedHosts: volume.scheduling_excluded_hosts,
  };
}

/**
 * Sets the volume's host and counts the attempt in one conditional UPDATE; false when another
 * delivery got there first (the status stays `creating`, so this is not a status transition).
 */
async function assignBackend(db: Db, volume: VolumeRow, backend: BackendState): Promise<boolean> {
  const result = await db
    .updateTable('volumes')
    .set({
      host: backendLocation(backend),
      scheduling_attempts: volume.scheduling_attempts + 1,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', volume.id)
    .where('status', '=', 'creating')
    .where('host', 'is', null)
    .where('scheduling_attempts', '=', volume.scheduling_attempts)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Why a volume could not be placed: stored on the row and shown as the user message. */
export interface SchedulingFailure {
  readonly statusReason: string;
  readonly userMessage: string;
}

export function noValidBackend(reason: string): SchedulingFailure {
  return { statusReason: new NoValidBackendError(reason).message, userMessage: `${NO_BACKEND_MESSAGE} ${reason}` };
}

/**
 * Puts a volume that cannot be placed in `error`, with the reason on the row and a user message
 * (what `cinder create --poll` prints). Nothing is recorded when the volume left `creating` meanwhile.
 */
export async function failVolumeCreation(
  rt: SchedulerRuntime,
  volumeId: string,
  failure: SchedulingFailure,
  ctx: RequestContext,
): Promise<void> {
  const event = { reason: failure.statusReason, userMessage: failure.userMessage, eventId: MESSAGE_EVENTS.scheduleCreateVolume };
  if (!(await failVolumeTransition(rt.db, volumeId, 'createFailed', event, ctx))) return;
  rt.log.warn('volume could not be scheduled', { volume_id: volumeId, reason: failure.statusReason });
}
