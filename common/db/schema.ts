import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable, Updateable } from 'kysely';
import type { BackupStatus, VolumeStatus } from '../status.js';

/** Never wrap it in `Generated<>`: kysely does not unwrap nested ColumnTypes, so selects would not be Dates. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Metadata = Record<string, string>;
export type Capabilities = Record<string, unknown>;

export interface VolumesTable {
  id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: VolumeStatus;
  /** Status to go back to after a temporary one (backing-up, restoring-backup). */
  previous_status: VolumeStatus | null;
  attach_status: string;
  availability_zone: string;
  volume_type_id: string;
  /** `host@backend#pool` once scheduled. */
  host: string | null;
  metadata: JSONColumnType<Metadata, Metadata | string, Metadata | string>;
  bootable: Generated<boolean>;
  /** Why the volume is in an error status, shown to its owner. */
  status_reason: string | null;
  scheduling_attempts: Generated<number>;
  scheduling_excluded_hosts: JSONColumnType<string[], string[] | string, string[] | string>;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
}

export interface VolumeTypesTable {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: JSONColumnType<Record<string, string>, Record<string, string> | string, Record<string, string> | string>;
  created_at: Timestamp;
}

export interface ServicesTable {
  id: Generated<number>;
  binary: string;
  host: string;
  availability_zone: string;
  disabled: Generated<boolean>;
  disabled_reason: string | null;
  capabilities: JSONColumnType<Capabilities, Capabilities | string, Capabilities | string>;
  heartbeat_at: Timestamp;
  /** Set when the service stopped cleanly; cleared by its next heartbeat. */
  stopped_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface MessagesTable {
  id: string;
  project_id: string;
  request_id: string;
  resource_type: string;
  resource_uuid: string | null;
  event_id: string;
  message_level: string;
  user_message: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** Requests accepted by the database but not yet confirmed by the broker (transactional outbox). */
export interface OutboxTable {
  id: Generated<string>;
  exchange: string;
  routing_key: string;
  envelope: JSONColumnType<Record<string, unknown>, Record<string, unknown> | string, Record<string, unknown> | string>;
  resource_kind: string | null;
  resource_id: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
  next_attempt_at: Timestamp;
}

/** int8 columns: pg returns them as strings (no precision loss); numbers are accepted on write. */
type Int8 = ColumnType<string, number | string | undefined, number | string>;

/** Verification of a backup's chunks (Floe's `os-verify` extension). */
export type VerifyStatus = 'verifying' | 'ok' | 'failed';

export interface BackupsTable {
  id: string;
  project_id: string;
  user_id: string;
  volume_id: string;
  name: string | null;
  description: string | null;
  /** The repository the backup was made to (its first copy); replicas are in backup_copies. */
  container: string;
  status: BackupStatus;
  fail_reason: string | null;
  /** GB, the volume's size at backup time (Cinder's meaning). */
  size: number;
  object_count: Generated<number>;
  is_incremental: Generated<boolean>;
  parent_id: string | null;
  snapshot_id: string | null;
  /** When the data was read (the backup's point in time). */
  data_timestamp: NullableTimestamp;
  availability_zone: string;
  metadata: JSONColumnType<Metadata, Metadata | string, Metadata | string>;
  /** Bytes done / to do of the running backup or restore. */
  progress_done_bytes: Int8;
  progress_total_bytes: Int8;
  /** The backup worker (`config.host`) running the backup or restore; its start-up resolves a crash. */
  host: string | null;
  /** The volume a running restore writes into. */
  restore_volume_id: string | null;
  /** The status the backed-up volume had before `backing-up`. */
  previous_volume_status: VolumeStatus | null;
  verify_status: VerifyStatus | null;
  verify_result: string | null;
  verified_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
}

/** One copy of a backup in one repository. */
export type BackupCopyStatus = 'creating' | 'available' | 'error' | 'deleting';

export interface BackupCopiesTable {
  backup_id: string;
  repository: string;
  status: BackupCopyStatus;
  fail_reason: string | null;
  object_count: Generated<number>;
  stored_bytes: Int8;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}

/** A configured repository as the backup workers last found it (start-up, heartbeats, first use). */
export type RepositoryState = 'available' | 'unavailable';

export interface BackupRepositoriesTable {
  name: string;
  type: string;
  state: RepositoryState;
  /** Why it is unavailable (no secrets). */
  detail: string | null;
  host: string;
  checked_at: Timestamp;
}

export interface Database {
  backups: BackupsTable;
  backup_copies: BackupCopiesTable;
  backup_repositories: BackupRepositoriesTable;
  volumes: VolumesTable;
  volume_types: VolumeTypesTable;
  services: ServicesTable;
  messages: MessagesTable;
  outbox: OutboxTable;
}

export type VolumeRow = Selectable<VolumesTable>;
export type BackupRow = Selectable<BackupsTable>;
export type BackupCopyRow = Selectable<BackupCopiesTable>;
export type BackupRepositoryRow = Selectable<BackupRepositoriesTable>;
export type NewBackup = Insertable<BackupsTable>;
export type BackupUpdate = Updateable<BackupsTable>;
export type NewVolume = Insertable<VolumesTable>;
export type VolumeUpdate = Updateable<VolumesTable>;
export type VolumeTypeRow = Selectable<VolumeTypesTable>;
export type ServiceRow = Selectable<ServicesTable>;
export type MessageRow = Selectable<MessagesTable>;
export type OutboxRow = Selectable<OutboxTable>;
