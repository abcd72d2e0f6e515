import { z } from 'zod';
import type { Metadata } from '../../common/db/schema.js';
import { InvalidInputError } from '../../common/errors.js';
import { isUuid } from '../../common/ids.js';
import { RESETTABLE_BACKUP_STATUSES } from '../../common/status.js';
import { parseLimit, parseSort, type SortKey, type SortRules } from '../http/pagination.js';
import { parseBool, queryBool, queryString, type Query } from '../http/query.js';
import { parseInput } from '../http/validate.js';

const MAX_TEXT = 255;

function textSchema(field: string) {
  return z.string({ error: `${field} must be a string or null` }).max(MAX_TEXT, `${field} must be at most ${MAX_TEXT} characters`).nullish();
}

function uuidSchema(field: string) {
  return z.string({ error: `${field} must be a UUID` }).refine(isUuid, `${field} must be a UUID`);
}

/** A boolean as Cinder's schema takes it: true/false or a boolean word ("True", "1", "no", ...). */
function boolSchema(field: string) {
  return z
    .union([z.boolean(), z.string()], { error: `${field} must be a boolean` })
    .transform((v) => (typeof v === 'boolean' ? v : parseBool(field, v)))
    .nullish();
}

const metadataSchema = z.record(
  z.string().min(1, 'metadata keys must not be empty').max(MAX_TEXT, `metadata keys must be at most ${MAX_TEXT} characters`),
  z.string({ error: 'metadata values must be strings' }).max(MAX_TEXT, `metadata values must be at most ${MAX_TEXT} characters`),
  { error: 'metadata must be an object mapping strings to strings' },
);

// The cinder CLI always sends volume_id, container, name, description, incremental, force, snapshot_id.
const createSchema = z.looseObject({
  volume_id: uuidSchema('volume_id'),
  container: textSchema('container'),
  name: textSchema('name'),
  description: textSchema('description'),
  incremental: boolSchema('incremental'),
  force: boolSchema('force'),
  snapshot_id: uuidSchema('snapshot_id').nullish(),
  metadata: metadataSchema.nullish(),
  availability_zone: textSchema('availability_zone'),
});

export interface CreateBackupInput {
  readonly volumeId: string;
  /** The repository's name; null: the default repository. Checked against the configuration by createBackup. */
  readonly container: string | null;
  readonly name: string | null;
  readonly description: string | null;
  readonly incremental: boolean;
  readonly force: boolean;
  readonly metadata: Metadata;
  /** null: the volume's zone. */
  readonly availabilityZone: string | null;
}

export function parseCreateBackup(backup: unknown): CreateBackupInput {
  const input = parseInput(createSchema, backup);
  if (input.snapshot_id !== undefined && input.snapshot_id !== null) {
    throw new InvalidInputError('Backing up a snapshot is not supported yet (snapshots come in a later release).');
  }
  return {
    volumeId: input.volume_id,
    container: input.container ?? null,
    name: input.name ?? null,
    description: input.description ?? null,
    incremental: input.incremental ?? false,
    force: input.force ?? false,
    metadata: input.metadata ?? {},
    availabilityZone: input.availability_zone ?? null,
  };
}

const restoreSchema = z.looseObject(
  {
    volume_id: uuidSchema('volume_id').nullish(),
    name: textSchema('name'),
    description: textSchema('description'),
  },
  { error: 'restore must be an object' },
);

export interface RestoreBackupInput {
  /** null: restore to a new volume. */
  readonly volumeId: string | null;
  readonly name: string | null;
  readonly description: string | null;
}

/** `{"restore": {"volume_id": null, "name": null}}` (both optional); an absent body element means {}. */
export function parseRestoreBackup(restore: unknown): RestoreBackupInput {
  const input = parseInput(restoreSchema, restore ?? {});
  return { volumeId: input.volume_id ?? null, name: input.name ?? null, description: input.description ?? null };
}

const resetSchema = z.strictObject(
  {
    status: z
      .string({ error: 'status is required' })
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(RESETTABLE_BACKUP_STATUSES, { error: `status must be one of ${RESETTABLE_BACKUP_STATUSES.join(', ')}` })),
  },
  { error: 'os-reset_status must be an object with status' },
);

export function parseBackupResetStatus(action: unknown): (typeof RESETTABLE_BACKUP_STATUSES)[number] {
  return parseInput(resetSchema, action).status;
}

/** Actions that take no argument: `{"os-force_delete": null}` or `{}`. */
export function parseNoArgument(name: string, action: unknown): void {
  const empty = action === null || (typeof action === 'object' && !Array.isArray(action) && Object.keys(action).length === 0);
  if (!empty) throw new InvalidInputError(`${name} takes no argument (null or {}).`);
}

export const BACKUP_SORT_RULES: SortRules = {
  keys: {
    created_at: 'created_at', updated_at: 'updated_at', id: 'id', name: 'name', display_name: 'name',
    size: 'size', status: 'status', volume_id: 'volume_id',
  },
  defaults: [{ key: 'created_at', dir: 'desc' }],
};

export interface BackupFilters {
  readonly name?: string;
  readonly status?: string;
  readonly volumeId?: string;
}

export interface BackupListQuery {
  readonly filters: BackupFilters;
  readonly sort: SortKey[];
  readonly limit: number;
  readonly marker?: string;
  readonly withCount: boolean;
  readonly allTenants: boolean;
}

/** The query of `GET /backups[/detail]`, as for volumes plus `volume_id`. */
export function parseBackupListQuery(query: Query, maxLimit: number): BackupListQuery {
  return {
    filters: {
      name: queryString(query, 'name') ?? queryString(query, 'display_name'),
      status: queryString(query, 'status'),
      volumeId: queryString(query, 'volume_id'),
    },
    sort: parseSort(query, BACKUP_SORT_RULES),
    limit: parseLimit(queryString(query, 'limit'), maxLimit),
    marker: queryString(query, 'marker'),
    withCount: queryBool(query, 'with_count'),
    allTenants: queryBool(query, 'all_tenants'),
  };
}
