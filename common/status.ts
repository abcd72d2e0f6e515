import { sql } from 'kysely';
import type { Db } from './db/database.js';
import type { BackupRow, BackupUpdate, VolumeRow, VolumeUpdate } from './db/schema.js';
import { InvalidStateError, NotFoundError } from './errors.js';

/** Every volume status; the `as const` array is both the type and the runtime check. */
export const VOLUME_STATUSES = [
  'creating', 'available', 'error',
  'extending', 'error_extending',
  'deleting', 'error_deleting', 'deleted',
  'attaching', 'in-use', 'detaching',
  'backing-up', 'restoring-backup', 'error_restoring',
] as const;
export type VolumeStatus = (typeof VOLUME_STATUSES)[number];

export function isVolumeStatus(value: string): value is VolumeStatus {
  return (VOLUME_STATUSES as readonly string[]).includes(value);
}

/** Statuses an operation may start from, per DESIGN's volume machine. */
export const VOLUME_TRANSITIONS = {
  scheduled: { from: ['creating'], to: 'creating' },
  created: { from: ['creating'], to: 'available' },
  createFailed: { from: ['creating'], to: 'error' },
  extend: { from: ['available'], to: 'extending' },
  extended: { from: ['extending'], to: 'available' },
  extendFailed: { from: ['extending'], to: 'error_extending' },
  delete: { from: ['available', 'error', 'error_extending', 'error_restoring', 'error_deleting'], to: 'deleting' },
  deleted: { from: ['deleting'], to: 'deleted' },
  deleteFailed: { from: ['deleting'], to: 'error_deleting' },
  // A backup reads the volume; the status before it is kept in previous_status and restored after.
  backUp: { from: ['available', 'in-use'], to: 'backing-up' },
  // A restore writes the volume: from available only, back to available or error_restoring.
  restoreBackup: { from: ['available'], to: 'restoring-backup' },
  restored: { from: ['restoring-backup'], to: 'available' },
  restoreFailed: { from: ['restoring-backup'], to: 'error_restoring' },
} as const satisfies Record<string, { from: readonly VolumeStatus[]; to: VolumeStatus }>;
export type VolumeTransition = keyof typeof VOLUME_TRANSITIONS;

/** Statuses a crash can leave a volume in; a worker resolves them at start-up. */
export const TRANSITIONAL_VOLUME_STATUSES: readonly VolumeStatus[] = [
  'creating', 'extending', 'deleting', 'attaching', 'detaching', 'backing-up', 'restoring-backup',
];

/** Statuses an admin may set with os-reset_status (Cinder allows any valid status). */
export const RESETTABLE_VOLUME_STATUSES: readonly VolumeStatus[] = VOLUME_STATUSES.filter((s) => s !== 'deleted');

export interface TransitionOptions {
  /** Extra columns written in the same UPDATE. */
  readonly set?: Omit<VolumeUpdate, 'status' | 'id'>;
  /** Restrict the guard further (for example to the volume's own host). */
  readonly host?: string;
  readonly projectId?: string;
}

/**
 * Moves a volume along its status machine with one conditional UPDATE; throws InvalidStateError
 * (naming the current status) when the volume is not in a status the transition starts from.
 */
export async function transitionVolume(
  db: Db,
  id: string,
  transition: VolumeTransition,
  options: TransitionOptions = {},
): Promise<VolumeRow> {
  const { from, to } = VOLUME_TRANSITIONS[transition];
  return setVolumeStatus(db, id, from, to, options);
}

export async function setVolumeStatus(
  db: Db,
  id: string,
  from: readonly VolumeStatus[],
  to: VolumeStatus,
  options: TransitionOptions = {},
): Promise<VolumeRow> {
  let query = db
    .updateTable('volumes')
    .set({ ...options.set, status: to, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', [...from]);
  if (options.host !== undefined) query = query.where('host', '=', options.host);
  if (options.projectId !== undefined) query = query.where('project_id', '=', options.projectId);
  const row = await query.returningAll().executeTakeFirst();
  if (row) return row;
  const current = await db.selectFrom('volumes').select('status').where('id', '=', id).executeTakeFirst();
  if (!current) throw new NotFoundError('Volume', id);
  throw new InvalidStateError('volume', id, current.status, from);
}

/** Every backup status (DESIGN's backup machine, plus Cinder's error_deleting). */
export const BACKUP_STATUSES = [
  'creating', 'available', 'error', 'restoring', 'deleting', 'error_deleting', 'deleted',
] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

export function isBackupStatus(value: string): value is BackupStatus {
  return (BACKUP_STATUSES as readonly string[]).includes(value);
}

export const BACKUP_TRANSITIONS = {
  created: { from: ['creating'], to: 'available' },
  createFailed: { from: ['creating'], to: 'error' },
  restore: { from: ['available'], to: 'restoring' },
  restored: { from: ['restoring'], to: 'available' },
  delete: { from: ['available', 'error'], to: 'deleting' },
  // os-force_delete (admin): also a backup whose delete failed; never one being written or read.
  forceDelete: { from: ['available', 'error', 'error_deleting'], to: 'deleting' },
  deleted: { from: ['deleting'], to: 'deleted' },
  deleteFailed: { from: ['deleting'], to: 'error_deleting' },
} as const satisfies Record<string, { from: readonly BackupStatus[]; to: BackupStatus }>;
export type BackupTransition = keyof typeof BACKUP_TRANSITIONS;

/** Statuses an admin may set with os-reset_status on a backup (as Cinder: available or error). */
export const RESETTABLE_BACKUP_STATUSES = ['available', 'error'] as const satisfies readonly BackupStatus[];

export interface BackupTransitionOptions {
  readonly set?: Omit<BackupUpdate, 'status' | 'id'>;
  /** Only when the backup is run by this backup worker (`null`: by none yet). */
  readonly host?: string | null;
}

/** Moves a backup along its status machine with one conditional UPDATE (InvalidStateError on zero rows). */
export async function transitionBackup(
  db: Db,
  id: string,
  transition: BackupTransition,
  options: BackupTransitionOptions = {},
): Promise<BackupRow> {
  const { from, to } = BACKUP_TRANSITIONS[transition];
  return setBackupStatus(db, id, from, to, options);
}

export async function setBackupStatus(
  db: Db,
  id: string,
  from: readonly BackupStatus[],
  to: BackupStatus,
  options: BackupTransitionOptions = {},
): Promise<BackupRow> {
  let query = db
    .updateTable('backups')
    .set({ ...options.set, status: to, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', [...from]);
  if (options.host === null) query = query.where('host', 'is', null);
  else if (options.host !== undefined) query = query.where('host', '=', options.host);
  const row = await query.returningAll().executeTakeFirst();
  if (row) return row;
  const current = await db.selectFrom('backups').select('status').where('id', '=', id).executeTakeFirst();
  if (!current) throw new NotFoundError('Backup', id);
  throw new InvalidStateError('backup', id, current.status, from);
}
