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
  const stats = await rt.driver.getStats();
  const capabilities: BackendCapabilities = { ...stats, host: rt.backendHost, timestamp: new Date().toISOString() };
  await recordHeartbeat(rt.db, {
    binary: 'floe-volume',
    host: rt.backendHost,
    availabilityZone: capabilities.availability_zone,
    capabilities,
  });
  await capabilitiesRpcClient(rpc).report(capabilities, serviceContext(newRequestId()));
}

/** Tells the database and the schedulers that this backend stopped cleanly. */
export async function reportStopped(rt: WorkerRuntime, rpc: RpcTransport): Promise<void> {
  await recordServiceStopped(rt.db, 'floe-volume', rt.backendHost);
  await capabilitiesRpcClient(rpc).stopped(rt.backendHost, serviceContext(newRequestId()));
}
