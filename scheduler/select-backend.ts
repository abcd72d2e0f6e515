import { backendLocation, type BackendState } from './backend-state.js';
import type { BackendFilter } from './filters/backend-filter.js';
import type { ScheduleRequest } from './schedule-request.js';
import { normalizeWeights, type BackendWeigher } from './weighers/backend-weigher.js';

/** The filters and weighers a scheduler applies, in order. */
export interface SchedulerPolicy {
  readonly filters: readonly BackendFilter[];
  readonly weighers: readonly BackendWeigher[];
}

export type Selection =
  | { readonly kind: 'selected'; readonly backend: BackendState }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Cinder's filter scheduler in one pure function: every filter in turn, then the weighted sum of
 * the normalized weights; the heaviest backend wins, ties going to the first location in
 * alphabetical order so that the choice is deterministic.
 */
export function selectBackend(
  states: readonly BackendState[],
  request: ScheduleRequest,
  policy: SchedulerPolicy,
): Selection {
  if (states.length === 0) return { kind: 'none', reason: 'No volume backend has reported its capabilities.' };
  let candidates = states;
  for (const filter of policy.filters) {
    const passed = candidates.filter((backend) => filter.passes(backend, request));
    if (passed.length === 0) return { kind: 'none', reason: noneLeft(request, filter, candidates.length) };
    candidates = passed;
  }
  return { kind: 'selected', backend: heaviest(candidates, weighAll(candidates, request, policy.weighers)) };
}

function noneLeft(request: ScheduleRequest, filter: BackendFilter, remaining: number): string {
  const zone = request.availabilityZone ? ` in availability zone ${request.availabilityZone}` : '';
  const what = remaining === 1 ? 'the last candidate backend' : `the last ${remaining} candidate backends`;
  return `No backend can take a ${request.sizeGb} GiB volume${zone}: ${filter.name} ruled out ${what}.`;
}

function weighAll(
  candidates: readonly BackendState[],
  request: ScheduleRequest,
  weighers: readonly BackendWeigher[],
): number[] {
  const totals = candidates.map(() => 0);
  for (const weigher of weighers) {
    const normalized = normalizeWeights(candidates.map((backend) => weigher.weigh(backend, request)));
    normalized.forEach((weight, i) => (totals[i] += weight * weigher.multiplier));
  }
  return totals;
}

function heaviest(candidates: readonly BackendState[], weights: readonly number[]): BackendState {
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    const heavier = weights[i] > weights[best];
    const tieFirst = weights[i] === weights[best] && backendLocation(candidates[i]) < backendLocation(candidates[best]);
    if (heavier || tieFirst) best = i;
  }
  return candidates[best];
}
