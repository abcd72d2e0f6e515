import { z } from 'zod';
import type { RequestContext } from '../common/context.js';
import { uuidArg } from './args.js';
import type { RpcTransport } from './transport.js';

// 1.0: createBackup, restoreBackup, deleteBackup, verifyBackup.
export const BACKUP_RPC_VERSION = '1.0';
/**
 * One queue for every backup worker (competing consumers). In this release a backup worker reads and
 * writes volumes through the file backends' paths, so it runs on the node that holds them.
 */
export const BACKUP_TOPIC = 'floe-backup';

/** The payload of each method, checked by the worker at the edge (parseRpcArgs). */
export const BACKUP_RPC_ARGS = {
  createBackup: z.object({ backupId: uuidArg }),
  restoreBackup: z.object({ backupId: uuidArg, volumeId: uuidArg }),
  deleteBackup: z.object({ backupId: uuidArg }),
  verifyBackup: z.object({ backupId: uuidArg }),
} as const;
export type BackupRpc = { [M in keyof typeof BACKUP_RPC_ARGS]: z.output<(typeof BACKUP_RPC_ARGS)[M]> };
export type BackupMethod = keyof BackupRpc;

export function backupRpcClient(rpc: RpcTransport) {
  return {
    cast: <M extends BackupMethod>(method: M, args: BackupRpc[M], ctx: RequestContext) =>
      rpc.cast(BACKUP_TOPIC, method, args, ctx, BACKUP_RPC_VERSION),
  };
}
