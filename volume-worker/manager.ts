import { z } from 'zod';
import { errorMessage } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { MalformedMessageError } from '../rpc/errors.js';
import type { Envelope, Handler } from '../rpc/transport.js';
import type { VolumeMethod } from '../rpc/volume-api.js';
import { createVolume } from './operations/create-volume.js';
import { deleteVolume } from './operations/delete-volume.js';
import { extendVolume } from './operations/extend-volume.js';
import { OPERATION_FAILURES, isOwnedBy, readVolume, failOperation } from './volume-records.js';
import type { WorkerRuntime } from './worker-runtime.js';

const volumeArgs = z.object({ volumeId: z.string().refine(isUuid, 'volumeId must be a UUID') });
const extendArgs = volumeArgs.extend({ newSizeGb: z.number().int().positive() });

/** Invalid arguments fail the same way on every delivery: a permanent error, dead-lettered at once. */
function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new MalformedMessageError(z.prettifyError(parsed.error));
  return parsed.data;
}

/** The RPC handlers of the volume topic (rpc/volume-api.ts), arguments validated at the edge. */
export function volumeHandlers(rt: WorkerRuntime): Record<VolumeMethod, Handler> {
  return {
    createVolume: async (args, ctx) => createVolume(rt, parseArgs(volumeArgs, args).volumeId, ctx),
    deleteVolume: async (args, ctx) => deleteVolume(rt, parseArgs(volumeArgs, args).volumeId, ctx),
    extendVolume: async (args, ctx) => {
      const { volumeId, newSizeGb } = parseArgs(extendArgs, args);
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
  const args = volumeArgs.safeParse(envelope.args);
  if (!isVolumeMethod(envelope.method) || !args.success) return;
  const failure = OPERATION_FAILURES[envelope.method];
  const volume = await readVolume(rt, args.data.volumeId);
  if (!volume || !isOwnedBy(volume.host, rt.backendHost)) return;
  const reason = `Gave up after repeated failures: ${errorMessage(error)}`;
  await failOperation(rt, volume, failure, reason, envelope.context);
}
