import type { BackendState } from '../backend-state.js';
import type { ScheduleRequest } from '../schedule-request.js';

/** A scheduler filter (Cinder's backend_passes): false removes the backend from the candidates. */
export interface BackendFilter {
  readonly name: string;
  passes(backend: BackendState, request: ScheduleRequest): boolean;
}
