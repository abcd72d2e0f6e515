import { z } from 'zod';
import type { RequestContext } from '../common/context.js';
import { uuidArg } from './args.js';
import type { RpcTransport } from './transport.js';

// 1.0: createVolume.
export const SCHEDULER_RPC_VERSION = '1.0';
export const SCHEDULER_TOPIC = 'floe-scheduler';

/** The payload of each method; createVolume: pick a backend and hand the volume to it (retry state lives on the row). */
export const SCHEDULER_RPC_ARGS = {
  createVolume: z.object({ volumeId: uuidArg }),
} as const;
export type SchedulerRpc = { [M in keyof typeof SCHEDULER_RPC_ARGS]: z.output<(typeof SCHEDULER_RPC_ARGS)[M]> };

export function schedulerRpcClient(rpc: RpcTransport) {
  return {
    createVolume: (args: SchedulerRpc['createVolume'], ctx: RequestContext) =>
      rpc.cast(SCHEDULER_TOPIC, 'createVolume', args, ctx, SCHEDULER_RPC_VERSION),
  };
}
