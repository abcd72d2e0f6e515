import type { RequestContext } from '../common/context.js';
import type { RpcTransport } from './transport.js';

// 1.0: createVolume.
export const SCHEDULER_RPC_VERSION = '1.0';
export const SCHEDULER_TOPIC = 'floe-scheduler';

export interface SchedulerRpc {
  /** Pick a backend and hand the volume to it. Retry state lives on the volume row. */
  createVolume: { volumeId: string };
}

export function schedulerRpcClient(rpc: RpcTransport) {
  return {
    createVolume: (args: SchedulerRpc['createVolume'], ctx: RequestContext) =>
      rpc.cast(SCHEDULER_TOPIC, 'createVolume', args, ctx, SCHEDULER_RPC_VERSION),
  };
}
