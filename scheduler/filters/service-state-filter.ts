import type { BackendFilter } from './backend-filter.js';

/**
 * Keeps backends whose service is enabled and has sent a heartbeat within `serviceDownTimeMs`
 * (what Cinder's host manager does before filtering). `now` is injectable for tests.
 */
export function serviceStateFilter(serviceDownTimeMs: number, now: () => number = Date.now): BackendFilter {
  return {
    name: 'ServiceStateFilter',
    passes: (backend) => !backend.disabled && now() - backend.heartbeatAt.getTime() <= serviceDownTimeMs,
  };
}
