import { z } from 'zod';
import type { RequestContext } from '../common/context.js';
import { uuidArg } from './args.js';
import type { RpcTransport } from './transport.js';

// 1.0: createVolume, deleteVolume, extendVolume.
export const VOLUME_RPC_VERSION = '1.0';

/** One queue per `host@backend`: work for a volume always reaches the worker that owns it. */
export function volumeTopic(backendHost: string): string {
  return `floe-volume.${backendHost}`;
}

/** `host@backend` of a volume's location `host@backend#pool`: the worker (and queue) that owns it. */
export function backendHostOf(location: string): string {
  return location.split('#')[0];
}

/** The payload of each method, checked by the worker at the edge (parseRpcArgs). */
export const VOLUME_RPC_ARGS = {
  createVolume: z.object({ volumeId: uuidArg }),
  deleteVolume: z.object({ volumeId: uuidArg }),
  extendVolume: z.object({ volumeId: uuidArg, newSizeGb: z.number().int().positive() }),
} as const;
export type VolumeRpc = { [M in keyof typeof VOLUME_RPC_ARGS]: z.output<(typeof VOLUME_RPC_ARGS)[M]> };
export type VolumeMethod = keyof VolumeRpc;

export function volumeRpcClient(rpc: RpcTransport) {
  const cast = <M extends VolumeMethod>(host: string, method: M, args: VolumeRpc[M], ctx: RequestContext) =>
    rpc.cast(volumeTopic(host), method, args, ctx, VOLUME_RPC_VERSION);
  return {
    createVolume: (host: string, args: VolumeRpc['createVolume'], ctx: RequestContext) => cast(host, 'createVolume', args, ctx),
    deleteVolume: (host: string, args: VolumeRpc['deleteVolume'], ctx: RequestContext) => cast(host, 'deleteVolume', args, ctx),
    extendVolume: (host: string, args: VolumeRpc['extendVolume'], ctx: RequestContext) => cast(host, 'extendVolume', args, ctx),
  };
}
