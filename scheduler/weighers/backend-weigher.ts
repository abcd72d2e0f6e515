import type { BackendState } from '../backend-state.js';
import type { ScheduleRequest } from '../schedule-request.js';

/**
 * A scheduler weigher (Cinder's _weigh_object): higher raw weights win. Raw weights are normalized
 * to [0, 1] across the candidates, then multiplied by `multiplier` (negative: prefer the lowest).
 */
export interface BackendWeigher {
  readonly name: string;
  readonly multiplier: number;
  weigh(backend: BackendState, request: ScheduleRequest): number;
}

/** Added above the largest finite weight for an infinite one (Cinder's CapacityWeigher offsets). */
const INFINITE_OFFSET_MIN = 10000;
const INFINITE_OFFSET_MULT = 100;

/** Where +Infinity lands: above every finite weight, by a margin proportional to their spread. */
function infinityStandIn(min: number, max: number): number {
  const offset = (max - min) * INFINITE_OFFSET_MULT;
  return max + (offset === 0 ? INFINITE_OFFSET_MIN : offset);
}

/**
 * Min-max normalization to [0, 1]; all-equal weights become 0 (Cinder's weights.normalize).
 * +Infinity (a backend that cannot measure its space) is first replaced by a stand-in above the
 * finite weights, as Cinder's CapacityWeigher does.
 */
export function normalizeWeights(weights: readonly number[]): number[] {
  const finite = weights.filter(Number.isFinite);
  if (finite.length === 0) return weights.map(() => 0);
  const min = Math.min(...finite);
  let max = Math.max(...finite);
  if (finite.length < weights.length) max = infinityStandIn(min, max);
  return weights.map((w) => (max === min ? 0 : ((Number.isFinite(w) ? w : max) - min) / (max - min)));
}
