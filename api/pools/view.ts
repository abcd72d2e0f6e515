import type { ServiceState } from '../services/queries.js';

/** `host@backend#pool`; a backend that reports no pool_name is its own single pool. */
export function poolName(service: ServiceState): string {
  const pool = service.capabilities.pool_name;
  const name = typeof pool === 'string' && pool !== '' ? pool : service.host.split('@')[1] ?? service.host;
  return `${service.host}#${name}`;
}

/** One entry of `scheduler-stats/get_pools`; `detail` adds the reported capabilities. */
export function poolView(service: ServiceState, detail: boolean) {
  const name = poolName(service);
  return detail ? { name, capabilities: service.capabilities } : { name };
}
