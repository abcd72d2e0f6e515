import { sql } from 'kysely';
import { serviceContext } from '../common/context.js';
import { newRequestId } from '../common/ids.js';
import { recordHeartbeat, recordServiceStopped } from '../common/service-heartbeat.js';
import { capabilitiesRpcClient, type BackendCapabilities } from '../rpc/capabilities-api.js';
import type { RpcTransport } from '../rpc/transport.js';
import type { WorkerRuntime } from './worker-runtime.js';

/**
 * Measures the backend and publishes it twice: in the `services` row (heartbeat, and what a
 * starting scheduler reads) and on the capabilities fanout (what running schedulers apply).
 */
export async function reportCapabilities(rt: WorkerRuntime, rpc: RpcTransport): Promise<void> {
  // The timestamp is when measuring began, and the database is read before the driver: a scheduler
  // trusts this report only over placements it committed before that moment (backend-state-view.ts),
  // and a volume that leaves `creating` between the two reads is counted twice, never missed.
  const measuredAt = new Date();
  const creatingGb = await scheduledGb(rt);
  const stats = withScheduledVolumes(await rt.driver.getStats(), creatingGb);
  const capabilities: BackendCapabilities = { ...stats, host: rt.backendHost, timestamp: measuredAt.toISOString() };
  await recordHeartbeat(rt.db, {
    binary: 'floe-volume',
    host: rt.backendHost,
    availabilityZone: capabilities.availability_zone,
    capabilities,
  });
  await capabilitiesRpcClient(rpc).report(capabilities, serviceContext(newRequestId()));
}

/**
 * GiB of the volumes the scheduler placed here that are still `creating`: their files may not exist
 * yet, so the driver's measure misses them, and a report without them would hand a scheduler back
 * capacity it has already given away (a burst of creates would pile onto one backend).
 */
async function scheduledGb(rt: WorkerRuntime): Promise<number> {
  const row = await rt.db
    .selectFrom('volumes')
    .select(sql<string>`coalesce(sum(size), 0)`.as('gb'))
    .where('host', 'like', `${rt.backendHost}#%`)
    .where('status', '=', 'creating')
    .executeTakeFirst();
  return Number(row?.gb ?? 0);
}

function withScheduledVolumes<S extends { free_capacity_gb: number | string; provisioned_capacity_gb?: number; allocated_capacity_gb?: number; thin_provisioning_support?: boolean }>(stats: S, gb: number): S {
  if (gb === 0) return stats;
  const free = typeof stats.free_capacity_gb === 'number' && !stats.thin_provisioning_support ? Math.max(0, stats.free_capacity_gb - gb) : stats.free_capacity_gb;
  return {
    ...stats,
    free_capacity_gb: free,
    provisioned_capacity_gb: (stats.provisioned_capacity_gb ?? 0) + gb,
    allocated_capacity_gb: (stats.allocated_capacity_gb ?? 0) + gb,
  };
}

/** Tells the database and the schedulers that this backend stopped cleanly. */
export async function reportStopped(rt: WorkerRuntime, rpc: RpcTransport): Promise<void> {
  await recordServiceStopped(rt.db, 'floe-volume', rt.backendHost);
  await capabilitiesRpcClient(rpc).stopped(rt.backendHost, serviceContext(newRequestId()));
}
