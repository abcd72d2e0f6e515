import type { Zone } from './queries.js';

/** One `availabilityZoneInfo` entry; cinderclient reads `zoneName` and `zoneState.available`. */
export function zoneView(zone: Zone) {
  return { zoneName: zone.name, zoneState: { available: zone.available } };
}
