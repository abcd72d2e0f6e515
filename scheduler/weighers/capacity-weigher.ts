import type { BackendState } from '../backend-state.js';
import { provisionsThin, reservedGb } from '../capacity.js';
import type { ScheduleRequest } from '../schedule-request.js';
import type { BackendWeigher } from './backend-weigher.js';

/**
 * Weighs backends by the space still free for this volume (Cinder's CapacityWeigher); with a
 * positive multiplier the emptiest backend wins, which spreads volumes.
 * thin: total × max_over_subscription_ratio − provisioned − reserved; thick: free − reserved.
 * A backend with an 'infinite'/'unknown' capacity gets the lowest weight when spreading and the
 * highest raw weight (so the lowest once multiplied) when stacking, discouraging such reports.
 */
export function capacityWeigher(multiplier: number): BackendWeigher {
  return {
    name: 'CapacityWeigher',
    multiplier,
    weigh: (backend, request) => virtualFreeGb(backend, request) ?? (multiplier > 0 ? -1 : Infinity),
  };
}

/** Free GiB as the weigher sees it, or undefined when the backend cannot tell. */
function virtualFreeGb(backend: BackendState, request: ScheduleRequest): number | undefined {
  const free = backend.freeCapacityGb;
  const total = backend.totalCapacityGb;
  if (typeof free !== 'number' || typeof total !== 'number') return undefined;
  const reserved = reservedGb(backend, total);
  if (provisionsThin(backend, request) && backend.maxOverSubscriptionRatio >= 1) {
    return total * backend.maxOverSubscriptionRatio - backend.provisionedCapacityGb - reserved;
  }
  return free - reserved;
}
