import type { RequestContext } from '../common/context.js';
import type { RpcTransport } from './transport.js';

// 1.0: createVolume, deleteVolume, extendVolume.
export const VOLUME_RPC_VERSION = '1.0';

/** One queue per `host@backend`: work for a volume always reaches the worker that owns it. */
export function volumeTopic(backendHost: string): string {
  return `floe-volume.${backendHost}`;
}

export interface VolumeRpc {
  createVolume: { volumeId: string };
  deleteVolume: { volumeId: string };
  extendVolume: { volumeId: string; newSizeGb: number };
}
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
