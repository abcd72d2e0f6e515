/** The Cinder v3 objects the CLI reads (cinder-client-wire §5); other keys pass through untouched. */
export interface VolumeAttachment {
  readonly attachment_id: string;
  readonly server_id: string | null;
  readonly [key: string]: unknown;
}

export interface Volume {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly size: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly attachments: readonly VolumeAttachment[];
  readonly description?: string | null;
  readonly availability_zone?: string;
  readonly volume_type?: string | null;
  readonly bootable?: string | boolean;
  readonly created_at?: string;
  readonly 'os-vol-host-attr:host'?: string | null;
  readonly 'os-vol-tenant-attr:tenant_id'?: string;
  readonly [key: string]: unknown;
}

export interface UserMessage {
  readonly id: string;
  readonly user_message: string;
  readonly created_at?: string;
  readonly resource_uuid?: string | null;
  readonly [key: string]: unknown;
}

export interface Service {
  readonly binary: string;
  readonly host: string;
  readonly zone?: string;
  readonly status: string;
  readonly state: string;
  readonly updated_at?: string | null;
  readonly disabled_reason?: string | null;
  readonly [key: string]: unknown;
}

export interface Pool {
  readonly name: string;
  readonly capabilities?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** Floe extension: one copy of a backup in one repository. */
export interface BackupCopy {
  readonly repository: string;
  readonly status: string;
  readonly fail_reason?: string | null;
}

export interface Backup {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly volume_id: string;
  readonly size: number;
  readonly fail_reason?: string | null;
  /** Floe extension: percent and bytes of the running (or last) backup or restore. */
  readonly progress?: number;
  readonly progress_bytes?: { readonly done: number; readonly total: number };
  readonly verify_status?: string | null;
  readonly verify_result?: string | null;
  /** Floe extension: its repository's copy first, then the replicas. */
  readonly copies?: readonly BackupCopy[];
  readonly [key: string]: unknown;
}

/** Floe extension `GET /backup-repositories`: a repository the project may use. */
export interface BackupRepository {
  readonly name: string;
  readonly type: string;
  /** available | unavailable | unknown (no current report from a backup worker). */
  readonly state: string;
  readonly detail?: string | null;
  readonly checked_at?: string | null;
  readonly default: boolean;
  readonly replicate_to: readonly string[];
  readonly [key: string]: unknown;
}

export interface BackupCreateRequest {
  readonly volume_id: string;
  /** The repository's name; absent: the default one. */
  readonly container?: string;
  readonly name?: string;
  readonly description?: string;
  readonly incremental?: boolean;
}

/** Fields of POST /volumes that the CLI sets; absent keys are not sent. */
export interface VolumeCreateRequest {
  readonly size: number;
  readonly name?: string;
  readonly description?: string;
  readonly availability_zone?: string;
  readonly volume_type?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface VolumeUpdateRequest {
  readonly name?: string;
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface VolumeListFilters {
  readonly allProjects?: boolean;
  readonly status?: string;
  readonly name?: string;
  /** Stop after this many volumes (also the page size asked for). */
  readonly limit?: number;
}
