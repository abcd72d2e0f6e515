import { errorMessage } from '../common/errors.js';
import { parseRpcArgs } from '../rpc/args.js';
import type { Envelope, Handler } from '../rpc/transport.js';
import { VOLUME_RPC_ARGS, type VolumeMethod } from '../rpc/volume-api.js';
import { createVolume } from './operations/create-volume.js';
import { deleteVolume } from './operations/delete-volume.js';
import { extendVolume } from './operations/extend-volume.js';
import { OPERATION_FAILURES, isOwnedBy, readVolume, failOperation } from './volume-records.js';
import type { WorkerRuntime } from './worker-runtime.js';

/** The RPC handlers of the volume topic (rpc/volume-api.ts), arguments validated at the edge. */
export function volumeHandlers(rt: WorkerRuntime): Record<VolumeMethod, Handler> {
  return {
    createVolume: async (args, ctx) => createVolume(rt, parseRpcArgs(VOLUME_RPC_ARGS.createVolume, args).volumeId, ctx),
    deleteVolume: async (args, ctx) => deleteVolume(rt, parseRpcArgs(VOLUME_RPC_ARGS.deleteVolume, args).volumeId, ctx),
    extendVolume: async (args, ctx) => {
      const { volumeId, newSizeGb } = parseRpcArgs(VOLUME_RPC_ARGS.extendVolume, args);
      await extendVolume(rt, volumeId, newSizeGb, ctx);
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
