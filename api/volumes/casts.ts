import type { RequestContext } from '../../common/context.js';
import type { Db } from '../../common/db/database.js';
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC, type SchedulerRpc } from '../../rpc/scheduler-api.js';
import { VOLUME_RPC_VERSION, backendHostOf, volumeTopic, type VolumeMethod, type VolumeRpc } from '../../rpc/volume-api.js';
import type { ApiDeps, CastOutbox } from '../deps.js';

/** The casts a volume operation may send, bound to one transaction. */
export interface VolumeCasts {
  schedule(args: SchedulerRpc['createVolume']): Promise<void>;
  toBackend<M extends VolumeMethod>(host: string, method: M, args: VolumeRpc[M]): Promise<void>;
}

function volumeCasts(outbox: CastOutbox, trx: Db, context: RequestContext): VolumeCasts {
  const resource = (volumeId: string) => ({ kind: 'volume', id: volumeId });
  return {
    schedule: (args) =>
      outbox.enqueueCast(trx, SCHEDULER_TOPIC, 'createVolume', args, context, {
        resource: resource(args.volumeId),
        version: SCHEDULER_RPC_VERSION,
      }),
    toBackend: (host, method, args) =>
      outbox.enqueueCast(trx, volumeTopic(backendHostOf(host)), method, args, context, {
        resource: resource(args.volumeId),
        version: VOLUME_RPC_VERSION,
      }),
  };
}

/**
 * Runs `work` in one transaction, so a row change and the casts it causes commit together (or not at
 * all); the outbox is kicked after the commit so that the casts leave at once.
 */
export async function commitWithCasts<T>(
  { db, outbox }: ApiDeps,
  context: RequestContext,
  work: (trx: Db, casts: VolumeCasts) => Promise<T>,
): Promise<T> {
  const result = await db.transaction().execute((trx) => work(trx, volumeCasts(outbox, trx, context)));
  outbox.kick();
  return result;
}
