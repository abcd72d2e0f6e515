import type { Db } from '../common/db/database.js';
import type { Logger } from '../common/logger.js';
import type { BackendStateView } from './backend-state-view.js';
import { capabilityReportSchema } from './capability-report.js';

/**
 * Loads every `floe-volume` service row into the view: a freshly started scheduler knows the
 * backends without waiting for a report, and learns heartbeats and disabled flags.
 */
export async function refreshFromServices(db: Db, view: BackendStateView, log: Logger): Promise<void> {
  const rows = await db
    .selectFrom('services')
    .select(['host', 'capabilities', 'heartbeat_at', 'disabled'])
    .where('binary', '=', 'floe-volume')
    .execute();
  for (const row of rows) {
    const report = capabilityReportSchema.safeParse(row.capabilities);
    if (!report.success) {
      log.debug('volume service has not reported usable capabilities yet', { host: row.host });
      continue;
    }
    view.apply(report.data, { heartbeatAt: row.heartbeat_at, disabled: row.disabled });
  }
}

/** Handler of the `floe-capabilities` fanout: a bad report is logged and dropped, never retried. */
export function applyCapabilityReport(view: BackendStateView, args: unknown, log: Logger): void {
  const report = capabilityReportSchema.safeParse(args);
  if (!report.success) {
    log.warn('ignored an invalid capability report', { error: report.error.message });
    return;
  }
  view.apply(report.data);
}
