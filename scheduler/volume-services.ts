import { z } from 'zod';
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
    .select(['host', 'capabilities', 'heartbeat_at', 'disabled', 'stopped_at'])
    .where('binary', '=', 'floe-volume')
    .execute();
  for (const row of rows) {
    if (row.stopped_at !== null) {
      view.remove(row.host);
      continue;
    }
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

const stoppedNotice = z.object({ host: z.string().min(1) });

/** Handler of a `serviceStopped` notice on the fanout. */
export function applyServiceStopped(view: BackendStateView, args: unknown, log: Logger): void {
  const notice = stoppedNotice.safeParse(args);
  if (!notice.success) {
    log.warn('ignored an invalid service-stopped notice', { error: notice.error.message });
    return;
  }
  view.remove(notice.data.host);
  log.info('backend stopped; no longer scheduled', { host: notice.data.host });
}
