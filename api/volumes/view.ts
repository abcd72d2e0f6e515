import { isFullPage } from '../http/pagination.js';
import { formatOptionalTimestamp, formatTimestamp } from '../http/timestamps.js';
import type { ViewContext } from '../http/view-context.js';
import { MV } from '../versions/microversions.js';
import type { VolumeWithType } from './queries.js';

const COLLECTION = 'volumes';

/** Fields Cinder shows to admins only. */
function adminFields(volume: VolumeWithType, view: ViewContext) {
  if (!view.admin) return {};
  return {
    migration_status: null,
    'os-vol-host-attr:host': volume.host,
    'os-vol-mig-status-attr:migstat': null,
    'os-vol-mig-status-attr:name_id': null,
    ...(view.version.atLeast(MV.volumeProviderId) ? { provider_id: null } : {}),
    ...(view.version.atLeast(MV.volumeClusterName) ? { cluster_name: null } : {}),
  };
}

/** Fields added by microversions (cinder/api/v3/views/volumes.py). */
function versionedFields(volume: VolumeWithType, view: ViewContext) {
  const v = view.version;
  return {
    ...(v.atLeast(MV.volumeGroupId) ? { group_id: null } : {}),
    // Every Floe volume has its own export, so no target is shared between volumes.
    ...(v.atLeast(MV.sharedTargetsAndServiceUuid) ? { shared_targets: false, service_uuid: null } : {}),
    ...(v.atLeast(MV.volumeTypeIdInDetail) ? { volume_type_id: volume.volume_type_id } : {}),
    ...(v.atLeast(MV.consumesQuota) ? { consumes_quota: true } : {}),
  };
}

/** The full volume view; cinderclient needs `id`, `name`, `status`, `metadata` and `attachments`. */
export function volumeDetail(volume: VolumeWithType, view: ViewContext) {
  return {
    id: volume.id,
    status: volume.status,
    size: volume.size,
    availability_zone: volume.availability_zone,
    created_at: formatTimestamp(volume.created_at),
    updated_at: formatOptionalTimestamp(volume.updated_at),
    name: volume.name,
    description: volume.description,
    volume_type: volume.volume_type_name,
    snapshot_id: null,
    source_volid: null,
    metadata: volume.metadata,
    links: view.links.resource(COLLECTION, volume.id),
    user_id: volume.user_id,
    bootable: String(volume.bootable),
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: false,
    attachments: [],
    'os-vol-tenant-attr:tenant_id': volume.project_id,
    ...adminFields(volume, view),
    ...versionedFields(volume, view),
  };
}

export function volumeSummary(volume: VolumeWithType, view: ViewContext) {
  return { id: volume.id, name: volume.name, links: view.links.resource(COLLECTION, volume.id) };
}

export interface PageInfo {
  readonly limit: number;
  /** The URL the client asked for; the `next` link repeats it with a new marker. */
  readonly originalUrl: string;
  readonly count?: number;
}

/** `{"volumes": [...], "volumes_links": [next]?, "count": N?}`. */
export function volumeList(volumes: VolumeWithType[], view: ViewContext, page: PageInfo, detail: boolean) {
  const render = detail ? volumeDetail : volumeSummary;
  const last = volumes[volumes.length - 1];
  return {
    volumes: volumes.map((v) => render(v, view)),
    ...(last && isFullPage(volumes.length, page.limit) ? { volumes_links: [view.links.next(page.originalUrl, last.id)] } : {}),
    ...(page.count !== undefined ? { count: page.count } : {}),
  };
}
