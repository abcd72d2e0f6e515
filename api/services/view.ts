import { formatTimestamp } from '../http/timestamps.js';
import type { ViewContext } from '../http/view-context.js';
import { MV } from '../versions/microversions.js';
import { VOLUME_BINARY, type ServiceState } from './queries.js';

function upOrDown(up: boolean): 'up' | 'down' {
  return up ? 'up' : 'down';
}

/** One `os-services` entry (Cinder's contrib/services.py). */
export function serviceView(service: ServiceState, view: ViewContext) {
  return {
    binary: service.binary,
    host: service.host,
    zone: service.availability_zone,
    status: service.disabled ? 'disabled' : 'enabled',
    state: upOrDown(service.is_up),
    updated_at: formatTimestamp(service.heartbeat_at),
    disabled_reason: service.disabled_reason,
    replication_status: 'disabled',
    active_backend_id: null,
    frozen: false,
    ...(view.version.atLeast(MV.serviceCluster) ? { cluster: null } : {}),
    ...(view.version.atLeast(MV.serviceBackendState) && service.binary === VOLUME_BINARY
      ? { backend_state: upOrDown(service.is_up) }
      : {}),
  };
}
