import type { RequestContext } from '../common/context.js';
import type { RpcTransport } from './transport.js';

// 1.0: reportCapabilities. 1.1: serviceStopped.
export const CAPABILITIES_RPC_VERSION = '1.1';
export const CAPABILITIES_EXCHANGE = 'floe-capabilities';

/** What a volume worker reports about one backend (Cinder's capability dictionary). */
export interface BackendCapabilities {
  readonly host: string; // host@backend
  readonly volume_backend_name: string;
  readonly availability_zone: string;
  readonly total_capacity_gb: number;
  readonly free_capacity_gb: number;
  readonly provisioned_capacity_gb: number;
  readonly allocated_capacity_gb: number;
  readonly reserved_percentage: number;
  readonly thin_provisioning_support: boolean;
  readonly thick_provisioning_support: boolean;
  readonly max_over_subscription_ratio: number;
  readonly storage_protocol: string;
  readonly vendor_name: string;
  readonly driver_version: string;
  readonly pool_name: string;
  readonly timestamp: string;
  readonly [extra: string]: unknown;
}

export function capabilitiesRpcClient(rpc: RpcTransport) {
  return {
    report: (caps: BackendCapabilities, ctx: RequestContext) =>
      rpc.fanout(CAPABILITIES_EXCHANGE, 'reportCapabilities', caps, ctx, CAPABILITIES_RPC_VERSION),
    /** A backend that stopped cleanly: schedulers drop it from their view at once. */
    stopped: (host: string, ctx: RequestContext) =>
      rpc.fanout(CAPABILITIES_EXCHANGE, 'serviceStopped', { host }, ctx, CAPABILITIES_RPC_VERSION),
  };
}
