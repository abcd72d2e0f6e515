import type { BackupRow } from '../../common/db/schema.js';
import { isFullPage } from '../http/pagination.js';
import { formatOptionalTimestamp, formatTimestamp } from '../http/timestamps.js';
import type { ViewContext } from '../http/view-context.js';
import { MV } from '../versions/microversions.js';
import type { BackupCopy } from '../../common/backup-copies.js';
import type { CopiesByBackup } from './copies.js';

const COLLECTION = 'backups';

/**
 * Floe extension: the running (or last) backup or restore's progress as a percentage of bytes, one
 * decimal; an available backup that never reported counts as done.
 */
export function progressPercent(backup: Pick<BackupRow, 'status' | 'progress_done_bytes' | 'progress_total_bytes'>): number {
  const done = Number(backup.progress_done_bytes);
  const total = Number(backup.progress_total_bytes);
  if (total > 0) return Math.floor((done / total) * 1000) / 10;
  return backup.status === 'available' ? 100 : 0;
}

/** Fields added by microversions (cinder/api/views/backups.py). */
function versionedFields(backup: BackupRow, view: ViewContext) {
  const v = view.version;
  return {
    ...(v.atLeast(MV.backupProjectAttr) ? { 'os-backup-project-attr:project_id': backup.project_id } : {}),
    ...(v.atLeast(MV.backupMetadata) ? { metadata: backup.metadata } : {}),
    ...(v.atLeast(MV.backupUserId) ? { user_id: backup.user_id } : {}),
  };
}

function copyView(copy: BackupCopy) {
  return { repository: copy.repository, status: copy.status, fail_reason: copy.fail_reason };
}

/** Floe's own fields: byte-counted progress, the last verification (`os-verify`) and the copies. */
function floeFields(backup: BackupRow, copies: readonly BackupCopy[]) {
  return {
    progress: progressPercent(backup),
    progress_bytes: { done: Number(backup.progress_done_bytes), total: Number(backup.progress_total_bytes) },
    verify_status: backup.verify_status,
    verify_result: backup.verify_result,
    verified_at: formatOptionalTimestamp(backup.verified_at),
    copies: copies.map(copyView),
  };
}

/**
 * The full backup view. Every backup restores from its own manifest, so none depends on another:
 * `has_dependent_backups` is always false and any backup may be deleted at any time. `copies` are
 * in the order of `copiesOf` (the backup's `container` first).
 */
export function backupDetail(backup: BackupRow, view: ViewContext, copies: readonly BackupCopy[]) {
  return {
    id: backup.id,
    status: backup.status,
    size: backup.size,
    object_count: backup.object_count,
    availability_zone: backup.availability_zone,
    container: backup.container,
    created_at: formatTimestamp(backup.created_at),
    updated_at: formatOptionalTimestamp(backup.updated_at),
    name: backup.name,
    description: backup.description,
    fail_reason: backup.fail_reason,
    volume_id: backup.volume_id,
    links: view.links.resource(COLLECTION, backup.id),
    is_incremental: backup.is_incremental,
    has_dependent_backups: false,
    snapshot_id: backup.snapshot_id,
    data_timestamp: formatOptionalTimestamp(backup.data_timestamp ?? backup.created_at),
    ...versionedFields(backup, view),
    ...floeFields(backup, copies),
  };
}

export function backupSummary(backup: Pick<BackupRow, 'id' | 'name'>, view: ViewContext) {
  return { id: backup.id, name: backup.name, links: view.links.resource(COLLECTION, backup.id) };
}

export interface PageInfo {
  readonly limit: number;
  readonly originalUrl: string;
  readonly count?: number;
}

/**
 * `{"backups": [...], "backups_links": [next]?, "count": N?}`: detail views when the page's copies
 * are given (`/backups/detail`), summaries otherwise.
 */
export function backupList(backups: BackupRow[], view: ViewContext, page: PageInfo, copies?: CopiesByBackup) {
  const render = copies ? (b: BackupRow) => backupDetail(b, view, copies.get(b.id) ?? []) : (b: BackupRow) => backupSummary(b, view);
  const last = backups[backups.length - 1];
  return {
    backups: backups.map(render),
    ...(last && isFullPage(backups.length, page.limit) ? { backups_links: [view.links.next(page.originalUrl, last.id)] } : {}),
    ...(page.count !== undefined ? { count: page.count } : {}),
  };
}

/** `POST /backups/{id}/restore` reply. */
export function restoreView(backupId: string, volume: { id: string; name: string | null }) {
  return { restore: { backup_id: backupId, volume_id: volume.id, volume_name: volume.name } };
}
