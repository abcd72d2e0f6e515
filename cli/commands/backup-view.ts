import type { Column } from '../output.js';
import type { Backup, BackupCopy } from '../types.js';

/** How backups read in tables: the columns of `backup list`, the rows of `backup show`. */
export const BACKUP_COLUMNS: readonly Column<Backup>[] = [
  { header: 'ID', value: (b) => b.id },
  { header: 'Volume ID', value: (b) => b.volume_id },
  { header: 'Status', value: (b) => b.status },
  { header: 'Name', value: (b) => b.name },
  { header: 'Size', value: (b) => b.size },
  { header: 'Incremental', value: (b) => b.is_incremental },
  { header: 'Progress', value: (b) => (b.progress === undefined ? null : `${b.progress}%`) },
  { header: 'Copies', value: (b) => formatCopies(b.copies, { reasons: false }) },
];

/**
 * `default: available, offsite: error (reason)`, in the API's order (the backup's repository first);
 * null when the API gave no copies (shown as `-`).
 */
export function formatCopies(copies: readonly BackupCopy[] | undefined, options: { reasons: boolean }): string | null {
  if (copies === undefined || copies.length === 0) return null;
  return copies.map((c) => `${c.repository}: ${c.status}${options.reasons && c.fail_reason ? ` (${c.fail_reason})` : ''}`).join(', ');
}

/** Every field but `links`, sorted; `copies` as one line with the failure reasons. */
export function backupView(backup: Backup): Record<string, unknown> {
  const { links: _links, ...fields } = backup;
  const view = { ...fields, copies: formatCopies(backup.copies, { reasons: true }) };
  return Object.fromEntries(Object.entries(view).sort(([a], [b]) => a.localeCompare(b)));
}
