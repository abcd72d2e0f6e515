import { z } from 'zod';
import type { BackendState } from './backend-state.js';

const capacitySchema = z.union([z.number(), z.enum(['infinite', 'unknown'])]);

/**
 * A volume worker's capability report (rpc/capabilities-api.ts BackendCapabilities), validated at
 * the edge: it arrives over the fanout exchange and from the `services.capabilities` column.
 */
export const capabilityReportSchema = z.looseObject({
  host: z.string().min(1),
  pool_name: z.string().min(1),
  availability_zone: z.string().min(1),
  total_capacity_gb: capacitySchema,
  free_capacity_gb: capacitySchema,
  allocated_capacity_gb: z.number().nonnegative().default(0),
  provisioned_capacity_gb: z.number().nonnegative().optional(),
  reserved_percentage: z.number().min(0).max(100).default(0),
  thin_provisioning_support: z.boolean().default(false),
  thick_provisioning_support: z.boolean().default(true),
  max_over_subscription_ratio: z.number().positive().default(1),
  timestamp: z.coerce.date(),
});
export type CapabilityReport = z.infer<typeof capabilityReportSchema>;

/** What the `services` row says about the worker that sent the report. */
export interface ServiceLiveness {
  readonly heartbeatAt: Date;
  readonly disabled: boolean;
}

export function backendStateFromReport(report: CapabilityReport, service: ServiceLiveness): BackendState {
  return {
    host: report.host,
    pool: report.pool_name,
    availabilityZone: report.availability_zone,
    totalCapacityGb: report.total_capacity_gb,
    freeCapacityGb: report.free_capacity_gb,
    // As Cinder: a backend that does not report provisioned capacity has provisioned what it allocated.
    provisionedCapacityGb: report.provisioned_capacity_gb ?? report.allocated_capacity_gb,
    allocatedCapacityGb: report.allocated_capacity_gb,
    reservedPercentage: report.reserved_percentage,
    thinProvisioningSupport: report.thin_provisioning_support,
    thickProvisioningSupport: report.thick_provisioning_support,
    maxOverSubscriptionRatio: report.max_over_subscription_ratio,
    capabilities: report,
    reportedAt: report.timestamp,
    heartbeatAt: service.heartbeatAt,
    disabled: service.disabled,
  };
}
