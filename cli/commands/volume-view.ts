import type { Column } from '../output.js';
import type { Volume } from '../types.js';

/** How volumes read in tables: the columns of `volume list`, the rows of `volume show`. */
const BASE_COLUMNS: readonly Column<Volume>[] = [
  { header: 'ID', value: (v) => v.id },
  { header: 'Name', value: (v) => v.name },
  { header: 'Status', value: (v) => v.status },
  { header: 'Size', value: (v) => v.size },
  { header: 'Attached to', value: (v) => attachedServers(v) },
];

const PROJECT_COLUMN: Column<Volume> = { header: 'Project', value: (v) => v['os-vol-tenant-attr:tenant_id'] };

const LONG_COLUMNS: readonly Column<Volume>[] = [
  { header: 'Type', value: (v) => v.volume_type },
  { header: 'Availability Zone', value: (v) => v.availability_zone },
  { header: 'Bootable', value: (v) => v.bootable },
  { header: 'Host', value: (v) => v['os-vol-host-attr:host'] },
  { header: 'Properties', value: (v) => v.metadata },
  { header: 'Created at', value: (v) => v.created_at },
];

export function volumeColumns(options: { long?: boolean; allProjects?: boolean }): Column<Volume>[] {
  return [
    ...BASE_COLUMNS,
    ...(options.allProjects ? [PROJECT_COLUMN] : []),
    ...(options.long ? LONG_COLUMNS : []),
  ];
}

/** Every field but `links`, sorted; `attachments` shown as the servers and attachment ids. */
export function volumeView(volume: Volume): Record<string, unknown> {
  const { links: _links, attachments, ...fields } = volume;
  const view: Record<string, unknown> = {
    ...fields,
    attached_servers: attachedServers(volume),
    attachment_ids: (attachments ?? []).map((a) => a.attachment_id),
  };
  return Object.fromEntries(Object.entries(view).sort(([a], [b]) => a.localeCompare(b)));
}

function attachedServers(volume: Volume): (string | null)[] {
  return (volume.attachments ?? []).map((a) => a.server_id);
}
