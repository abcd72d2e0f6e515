import { backendLocation } from '../backend-state.js';
import type { BackendFilter } from './backend-filter.js';

/** Keeps the backends that have not already failed this volume (Cinder's RetryFilter). */
export const retryFilter: BackendFilter = {
  name: 'RetryFilter',
  passes: (backend, request) =>
    !request.excludedHosts.some((h) => h === backend.host || h === backendLocation(backend)),
};
