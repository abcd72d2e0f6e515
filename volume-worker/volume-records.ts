import type { RequestContext } from '../common/context.js';
import type { VolumeRow } from '../common/db/schema.js';
import { InvalidStateError, NotFoundError } from '../common/errors.js';
import { MESSAGE_EVENTS } from '../common/messages.js';
import { transitionVolume, type TransitionOptions, type VolumeStatus, type VolumeTransition } from '../common/status.js';
import { failVolumeTransition, type FailureOptions } from '../common/volume-failure.js';
import { backendHostOf } from '../rpc/volume-api.js';
import type { WorkerRuntime } from './worker-runtime.js';

/** Whether a volume's `host` (`host@backend#pool`) belongs to the worker serving `backendHost`. */
export function isOwnedBy(volumeHost: string | null, backendHost: string): boolean {
  return volumeHost !== null && backendHostOf(volumeHost) === backendHost;
}

export async function readVolume(rt: WorkerRuntime, volumeId: string): Promise<VolumeRow | undefined> {
  return rt.db.selectFrom('volumes').selectAll().where('id', '=', volumeId).executeTakeFirst();
}

/**
 * Whether the volume is on this backend and in `status`; otherwise the request is ignored (a
 * redelivery of work already done, or a request that no longer applies) and a line says why.
 */
export function isReadyFor(rt: WorkerRuntime, volume: VolumeRow | undefined, status: VolumeStatus): volume is VolumeRow {
  if (volume?.status === status && isOwnedBy(volume.host, rt.backendHost)) return true;
  rt.log.info('request ignored: volume is not in the expected state on this backend', {
    volume_id: volume?.id,
    expected: status,
    status: volume?.status,
    host: volume?.host,
  });
  return false;
}

/** The volume, when it is on this backend and in `status` (see isReadyFor). */
export async function ownedVolumeIn(rt: WorkerRuntime, volumeId: string, status: VolumeStatus): Promise<VolumeRow | undefined> {
  const volume = await readVolume(rt, volumeId);
  return isReadyFor(rt, volume, status) ? volume : undefined;
}

/**
 * A transition that another delivery may already have made: undefined (and a log line) instead of
 * InvalidStateError, since at-least-once delivery makes that race normal.
 */
export async function tryTransition(
  rt: WorkerRuntime,
  volumeId: string,
  transition: VolumeTransition,
  options: TransitionOptions,
): Promise<VolumeRow | undefined> {
  try {
    return await transitionVolume(rt.db, volumeId, transition, options);
  } catch (err) {
    if (!(err instanceof InvalidStateError || err instanceof NotFoundError)) throw err;
    rt.log.info('transition skipped: the volume changed meanwhile', { volume_id: volumeId, transition, reason: err.message });
    return undefined;
  }
}

/** How an operation's failure shows: the error status and Cinder's user message for it. */
export interface OperationFailure {
  readonly transition: VolumeTransition;
  readonly event: string;
  readonly action: string;
}

export const OPERATION_FAILURES = {
  createVolume: { transition: 'createFailed', event: MESSAGE_EVENTS.createVolumeFromBackend, action: 'create volume from backend storage' },
  extendVolume: { transition: 'extendFailed', event: MESSAGE_EVENTS.extendVolume, action: 'extend volume' },
  deleteVolume: { transition: 'deleteFailed', event: MESSAGE_EVENTS.deleteVolume, action: 'delete volume' },
} as const satisfies Record<string, OperationFailure>;

/**
 * Moves the volume to the operation's error status with the reason (and `extra` columns in the same
 * UPDATE), and tells its owner why.
 */
export async function failOperation(
  rt: WorkerRuntime,
  volume: VolumeRow,
  failure: OperationFailure,
  reason: string,
  ctx: RequestContext,
  extra: FailureOptions['set'] = {},
): Promise<void> {
  const event = { reason, userMessage: `${failure.action}: ${reason}`, eventId: failure.event };
  const options = { host: volume.host ?? undefined, set: extra };
  if (!(await failVolumeTransition(rt.db, volume.id, failure.transition, event, ctx, options))) {
    rt.log.info('failure not recorded: the volume changed meanwhile', { volume_id: volume.id, transition: failure.transition });
    return;
  }
  rt.log.warn(`${failure.action} failed`, { volume_id: volume.id, reason });
}
