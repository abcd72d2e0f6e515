import type { BackendFilter } from './backend-filter.js';

/** Keeps the backends of the zone the volume asks for. */
export const availabilityZoneFilter: BackendFilter = {
  name: 'AvailabilityZoneFilter',
  passes: (backend, request) => !request.availabilityZone || backend.availabilityZone === request.availabilityZone,
};
