import type { BackendState } from './backend-state.js';
import { wantsThick, type ScheduleRequest } from './schedule-request.js';

/** GiB held back from allocation: `reserved_percentage` of the total, rounded down as Cinder does. */
export function reservedGb(state: BackendState, totalGb: number): number {
  return Math.floor((totalGb * state.reservedPercentage) / 100);
}

/** The volume would be thin-provisioned: the backend supports it and the type does not ask for thick. */
export function provisionsThin(state: BackendState, request: ScheduleRequest): boolean {
  return state.thinProvisioningSupport && !wantsThick(request);
}
