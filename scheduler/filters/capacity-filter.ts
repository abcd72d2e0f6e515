import type { BackendState } from '../backend-state.js';
import { provisionsThin, reservedGb } from '../capacity.js';
import type { ScheduleRequest } from '../schedule-request.js';
import type { BackendFilter } from './backend-filter.js';

/**
 * Keeps the backends with room for the volume, following Cinder's CapacityFilter:
 * thick: free − reserved ≥ size;
 * thin: provisioned + size ≤ total × max_over_subscription_ratio (a ratio below 1 is refused), and
 *       (free − reserved) × ratio ≥ size, as Cinder does since Train: sparse volumes are placed by
 *       their virtual size, not by what they would take if written in full.
 * A backend reporting 'infinite'/'unknown' free space passes (the retry handles a wrong guess); one
 * with an 'infinite'/'unknown' total passes only when nothing is reserved.
 */
export const capacityFilter: BackendFilter = {
  name: 'CapacityFilter',
  passes(backend, request) {
    const free = backend.freeCapacityGb;
    const total = backend.totalCapacityGb;
    if (typeof free !== 'number') return true;
    if (typeof total !== 'number') return backend.reservedPercentage === 0;
    if (total <= 0) return false;
    const usableFree = free - reservedGb(backend, total);
    if (!provisionsThin(backend, request)) return usableFree >= request.sizeGb;
    return withinOverSubscription(backend, request, total, usableFree);
  },
};

function withinOverSubscription(backend: BackendState, request: ScheduleRequest, totalGb: number, usableFreeGb: number): boolean {
  const ratio = backend.maxOverSubscriptionRatio;
  if (ratio < 1) return false;
  return backend.provisionedCapacityGb + request.sizeGb <= totalGb * ratio && usableFreeGb * ratio >= request.sizeGb;
}
