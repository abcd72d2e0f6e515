import type { RequestContext } from './context.js';
import type { Db } from './db/database.js';
import type { VolumeRow } from './db/schema.js';
import { InvalidStateError, NotFoundError } from './errors.js';
import { MESSAGE_EVENTS, recordUserMessage } from './messages.js';
import { setVolumeStatus, VOLUME_TRANSITIONS, type VolumeStatus, type VolumeTransition } from './status.js';

/** Why an operation failed: kept on the row (`status_reason`) and told to the owner (`GET /messages`). */
export interface VolumeFailure {
  readonly reason: string;
  readonly userMessage: string;
  readonly eventId: string;
}

export interface FailureOptions {
  /** Only when the volume is on this `host@backend#pool`. */
  readonly host?: string;
  readonly set?: { size?: number; scheduling_excluded_hosts?: string };
}

/**
 * Moves a volume to an error status and records its owner's message in one transaction, so that
 * whoever sees the error status also finds why. Undefined when the volume is no longer in a status
 * the failure applies to (another delivery or actor resolved it: normal under at-least-once delivery).
 */
export async function failVolumeFrom(
  db: Db,
  volumeId: string,
  from: readonly VolumeStatus[],
  to: VolumeStatus,
  failure: VolumeFailure,
  context: RequestContext,
  options: FailureOptions = {},
): Promise<VolumeRow | undefined> {
  try {
    return await db.transaction().execute(async (trx) => {
      const set = { ...options.set, status_reason: failure.reason };
      const row = await setVolumeStatus(trx, volumeId, from, to, { host: options.host, set });
      await recordUserMessage(trx, context, { type: 'VOLUME', id: volumeId }, failure.eventId, failure.userMessage);
      return row;
    });
  } catch (err) {
    if (err instanceof InvalidStateError || err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** failVolumeFrom along a named transition of the status machine (createFailed, extendFailed, ...). */
export function failVolumeTransition(
  db: Db,
  volumeId: string,
  transition: VolumeTransition,
  failure: VolumeFailure,
  context: RequestContext,
  options: FailureOptions = {},
): Promise<VolumeRow | undefined> {
  const { from, to } = VOLUME_TRANSITIONS[transition];
  return failVolumeFrom(db, volumeId, from, to, failure, context, options);
}

/** The error status each transitional status resolves to when its operation fails for good. */
export const FAILED_STATUS: Readonly<Partial<Record<VolumeStatus, VolumeStatus>>> = {
  creating: 'error',
  extending: 'error_extending',
  deleting: 'error_deleting',
  'restoring-backup': 'error_restoring',
};

const FAILED_EVENT: Readonly<Partial<Record<VolumeStatus, string>>> = {
  creating: MESSAGE_EVENTS.scheduleCreateVolume,
  extending: MESSAGE_EVENTS.extendVolume,
  deleting: MESSAGE_EVENTS.deleteVolume,
};

/**
 * Moves a volume from whatever transitional status it is in to the matching error status (a request
 * that could never be delivered). Undefined when the volume is not in a transitional status.
 */
export async function failVolume(db: Db, volumeId: string, reason: string, context: RequestContext): Promise<VolumeRow | undefined> {
  const row = await db.selectFrom('volumes').select('status').where('id', '=', volumeId).executeTakeFirst();
  const target = row && FAILED_STATUS[row.status];
  if (!row || !target) return undefined;
  const failure = { reason, userMessage: reason, eventId: FAILED_EVENT[row.status] ?? MESSAGE_EVENTS.scheduleCreateVolume };
  return failVolumeFrom(db, volumeId, [row.status], target, failure, context);
}
