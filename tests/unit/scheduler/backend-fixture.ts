import type { BackendState } from '../../../scheduler/backend-state.js';
import type { ScheduleRequest } from '../../../scheduler/schedule-request.js';

export const NOW = Date.parse('2030-01-01T00:00:00Z');

/** A healthy thick backend of 100 GiB, empty, in zone `nova`; override what a test is about. */
export function backend(overrides: Partial<BackendState> = {}): BackendState {
  const name = overrides.host?.split('@')[1] ?? 'b1';
  return {
    host: `node@${name}`,
    pool: name,
    availabilityZone: 'nova',
    totalCapacityGb: 100,
    freeCapacityGb: 100,
    provisionedCapacityGb: 0,
    allocatedCapacityGb: 0,
    reservedPercentage: 0,
    thinProvisioningSupport: false,
    thickProvisioningSupport: true,
    maxOverSubscriptionRatio: 1,
    capabilities: { volume_backend_name: name },
    reportedAt: new Date(NOW - 1000),
    heartbeatAt: new Date(NOW - 1000),
    disabled: false,
    ...overrides,
  };
}

export function request(overrides: Partial<ScheduleRequest> = {}): ScheduleRequest {
  return {
    volumeId: '00000000-0000-4000-8000-000000000001',
    sizeGb: 10,
    availabilityZone: 'nova',
    extraSpecs: {},
    excludedHosts: [],
    ...overrides,
  };
}
