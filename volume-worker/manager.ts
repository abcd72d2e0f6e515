import { untilDatabaseAnswers } from '../common/db/database-wait.js';
import { errorMessage } from '../common/errors.js';
import { parseRpcArgs } from '../rpc/args.js';
import type { Envelope, Handler } from '../rpc/transport.js';
import { VOLUME_RPC_ARGS, type VolumeMethod } from '../rpc/volume-api.js';
import { createVolume } from './operations/create-volume.js';
import { deleteVolume } from './operations/delete-volume.js';
import { extendVolume } from './operations/extend-volume.js';
import { OPERATION_FAILURES, isOwnedBy, readVolume, failOperation } from './volume-records.js';
import type { WorkerRuntime } from './worker-runtime.js';

/**
 * The RPC handlers of the volume topic (rpc/volume-api.ts), arguments validated at the edge; each
 * waits for a database that cannot be reached (untilDatabaseAnswers).
 */
export function volumeHandlers(rt: WorkerRuntime): Record<VolumeMethod, Handler> {
  const perform = (volumeId: string, operation: () => Promise<void>) => untilDatabaseAnswers(rt, { volume_id: volumeId }, operation);
  return {
    createVolume: async (args, ctx) => {
      const { volumeId } = parseRpcArgs(VOLUME_RPC_ARGS.createVolume, args);
      await perform(volumeId, () => createVolume(rt, volumeId, ctx));
    },
    deleteVolume: async (args, ctx) => {
      const { volumeId } = parseRpcArgs(VOLUME_RPC_ARGS.deleteVolume, args);
      await perform(volumeId, () => deleteVolume(rt, volumeId, ctx));
    },
    extendVolume: async (args, ctx) => {
      const { volumeId, newSizeGb } = parseRpcArgs(VOLUME_RPC_ARGS.extendVolume, args);
      await perform(volumeId, () => extendVolume(rt, volumeId, newSizeGb, ctx));
    },
  };
}

function isVolumeMethod(method: string): method is VolumeMethod {
  return Object.hasOwn(OPERATION_FAILURES, method);
}

/**
 * A request that failed every delivery: its volume goes to the operation's error status with the
 * reason (create → error, extend → error_extending, delete → error_deleting), never left behind.
 */
export async function onVolumeDeadLetter(rt: WorkerRuntime, envelope: Envelope, error: Error): Promise<void> {
  if (!isVolumeMethod(envelope.method)) return;
  const args = VOLUME_RPC_ARGS[envelope.method].safeParse(envelope.args);
  if (!args.success) return;
  const failure = OPERATION_FAILURES[envelope.method];
  const volume = await readVolume(rt, args.data.volumeId);
  if (!volume || !isOwnedBy(volume.host, rt.backendHost)) return;
  const reason = `Gave up after repeated failures: ${errorMessage(error)}`;
  await failOperation(rt, volume, failure, reason, envelope.context);
}
