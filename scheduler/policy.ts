import { availabilityZoneFilter } from './filters/availability-zone-filter.js';
import { capabilitiesFilter } from './filters/capabilities-filter.js';
import { capacityFilter } from './filters/capacity-filter.js';
import { retryFilter } from './filters/retry-filter.js';
import { serviceStateFilter } from './filters/service-state-filter.js';
import type { SchedulerPolicy } from './select-backend.js';
import { capacityWeigher } from './weighers/capacity-weigher.js';

export interface PolicyOptions {
  readonly serviceDownTimeMs: number;
  readonly capacityWeightMultiplier: number;
}

/** Cinder's default filters (plus the liveness and retry checks) and the capacity weigher. */
export function defaultPolicy(options: PolicyOptions, now: () => number = Date.now): SchedulerPolicy {
  return {
    filters: [
      serviceStateFilter(options.serviceDownTimeMs, now),
      retryFilter,
      availabilityZoneFilter,
      capacityFilter,
      capabilitiesFilter,
    ],
    weighers: [capacityWeigher(options.capacityWeightMultiplier)],
  };
}
