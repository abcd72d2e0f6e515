import type { RepositoryState } from '../../common/db/schema.js';
import type { RepositoryDefinition } from '../../common/repository-config.js';
import { formatOptionalTimestamp } from '../http/timestamps.js';
import type { RepositoryReport } from './queries.js';

export type ShownRepositoryState = RepositoryState | 'unknown';

/** A report older than the service down time says nothing about now: `unknown`, as no report at all. */
export function shownState(report: RepositoryReport | undefined): ShownRepositoryState {
  return report?.fresh ? report.state : 'unknown';
}

/**
 * One `backup_repositories` entry (Floe extension). Only what a user may know: never a location,
 * a credential or a reference to one (file path, variable name); the detail is the worker's last
 * word on the repository, which carries no secret either (backup-worker/repositories).
 */
export function backupRepositoryView(definition: RepositoryDefinition, report: RepositoryReport | undefined, defaultName: string) {
  return {
    name: definition.name,
    type: definition.type,
    state: shownState(report),
    detail: report?.detail ?? null,
    checked_at: formatOptionalTimestamp(report?.checked_at ?? null),
    default: definition.name === defaultName,
    replicate_to: [...definition.replicateTo],
  };
}
