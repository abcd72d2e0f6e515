import { z } from 'zod';
import { InvalidInputError } from '../../common/errors.js';
import type { Metadata } from '../../common/db/schema.js';
import { RESETTABLE_VOLUME_STATUSES } from '../../common/status.js';
import { parseLimit, parseSort, type SortKey, type SortRules } from '../http/pagination.js';
import { queryBool, queryString, type Query } from '../http/query.js';
import { parseInput } from '../http/validate.js';

/** Cinder's DB_MAX_INT: sizes are stored in an int4 column. */
const MAX_SIZE_GB = 2_147_483_647;
const MAX_TEXT = 255;

/** A size in GiB: a positive integer, or a string of digits as Cinder also accepts ("1"). */
function sizeSchema(field: string) {
  const error = `${field} must be an integer between 1 and ${MAX_SIZE_GB}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z.int({ error }).min(1, { error }).max(MAX_SIZE_GB, { error }),
  );
}

function textSchema(field: string) {
  return z
    .string({ error: `${field} must be a string or null` })
    .max(MAX_TEXT, `${field} must be at most ${MAX_TEXT} characters`)
    .nullish();
}

const metadataSchema = z.record(
  z.string().min(1, 'metadata keys must not be empty').max(MAX_TEXT, `metadata keys must be at most ${MAX_TEXT} characters`),
  z.string({ error: 'metadata values must be strings' }).max(MAX_TEXT, `metadata values must be at most ${MAX_TEXT} characters`),
  { error: 'metadata must be an object mapping strings to strings' },
);

/** Sources a volume could be created from, and what Floe says until it supports them. */
const UNSUPPORTED_SOURCES = {
  snapshot_id: 'Creating a volume from a snapshot',
  source_volid: 'Cloning a volume',
  imageRef: 'Creating a volume from an image',
  backup_id: 'Creating a volume from a backup',
  consistencygroup_id: 'Creating a volume in a consistency group',
  group_id: 'Creating a volume in a group',
} as const;

// Cinder's CLI always sends every key, with nulls; unknown keys are ignored as Cinder does.
const createSchema = z.looseObject({
  size: sizeSchema('size'),
  name: textSchema('name'),
  display_name: textSchema('display_name'),
  description: textSchema('description'),
  display_description: textSchema('display_description'),
  volume_type: textSchema('volume_type'),
  availability_zone: textSchema('availability_zone'),
  metadata: metadataSchema.nullish(),
  multiattach: z.boolean({ error: 'multiattach must be a boolean' }).nullish(),
});

export interface CreateVolumeInput {
  readonly size: number;
  readonly name: string | null;
  readonly description: string | null;
  /** A type name or id; null for the default type. */
  readonly volumeType: string | null;
  /** null for the default zone. */
  readonly availabilityZone: string | null;
  readonly metadata: Metadata;
}

function refuseUnsupported(volume: Record<string, unknown>): void {
  for (const [key, what] of Object.entries(UNSUPPORTED_SOURCES)) {
    if (volume[key] !== undefined && volume[key] !== null) throw new InvalidInputError(`${what} is not supported yet.`);
  }
  if (volume.multiattach === true) throw new InvalidInputError('Multiattach volumes are not supported yet.');
}

export function parseCreateVolume(volume: unknown): CreateVolumeInput {
  const input = parseInput(createSchema, volume);
  refuseUnsupported(input);
  return {
    size: input.size,
    name: input.name ?? input.display_name ?? null,
    description: input.description ?? input.display_description ?? null,
    volumeType: input.volume_type ?? null,
    availabilityZone: input.availability_zone ?? null,
    metadata: input.metadata ?? {},
  };
}

const updateSchema = z.strictObject({
  name: textSchema('name'),
  display_name: textSchema('display_name'),
  description: textSchema('description'),
  display_description: textSchema('display_description'),
  metadata: metadataSchema.optional(),
});

export interface UpdateVolumeInput {
  readonly name?: string | null;
  readonly description?: string | null;
  readonly metadata?: Metadata;
}

/** `PUT /volumes/{id}`: only the keys given change; metadata is replaced as a whole. */
export function parseUpdateVolume(volume: unknown): UpdateVolumeInput {
  const input = parseInput(updateSchema, volume);
  const name = input.name !== undefined ? input.name : input.display_name;
  const description = input.description !== undefined ? input.description : input.display_description;
  return {
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
  };
}

const extendSchema = z.strictObject({ new_size: sizeSchema('new_size') }, { error: 'os-extend must be an object with new_size' });

/** `{"os-extend": {"new_size": N}}` → N. */
export function parseExtend(action: unknown): number {
  return parseInput(extendSchema, action).new_size;
}

const resetSchema = z.strictObject(
  {
    status: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(RESETTABLE_VOLUME_STATUSES, { error: `status must be one of ${RESETTABLE_VOLUME_STATUSES.join(', ')}` }))
      .optional(),
    attach_status: z.enum(['attached', 'detached'], { error: 'attach_status must be attached or detached' }).optional(),
    migration_status: z
      .string()
      .refine((s) => s.toLowerCase() === 'none', 'Floe does not migrate volumes: migration_status can only be reset to none')
      .nullish(),
  },
  { error: 'os-reset_status must be an object' },
);

export type ResetStatusInput = Pick<z.output<typeof resetSchema>, 'status' | 'attach_status'>;

/** `{"os-reset_status": {}}` or with status / attach_status / migration_status ("none"). */
export function parseResetStatus(action: unknown): ResetStatusInput {
  const { status, attach_status } = parseInput(resetSchema, action);
  return { status, attach_status };
}

export const VOLUME_SORT_RULES: SortRules = {
  keys: {
    created_at: 'created_at', updated_at: 'updated_at', id: 'id', name: 'name', display_name: 'name',
    size: 'size', status: 'status',
  },
  defaults: [{ key: 'created_at', dir: 'desc' }],
};

export interface VolumeFilters {
  readonly name?: string;
  readonly status?: string;
}

export interface VolumeListQuery {
  readonly filters: VolumeFilters;
  readonly sort: SortKey[];
  readonly limit: number;
  readonly marker?: string;
  readonly withCount: boolean;
  /** Asked for; honoured for admins only (the CLI sends it on every name lookup). */
  readonly allTenants: boolean;
}

/** The query of `GET /volumes[/detail]`; parameters Cinder would not filter on are ignored. */
export function parseVolumeListQuery(query: Query, maxLimit: number): VolumeListQuery {
  return {
    filters: {
      name: queryString(query, 'name') ?? queryString(query, 'display_name'),
      status: queryString(query, 'status'),
    },
    sort: parseSort(query, VOLUME_SORT_RULES),
    limit: parseLimit(queryString(query, 'limit'), maxLimit),
    marker: queryString(query, 'marker'),
    withCount: queryBool(query, 'with_count'),
    allTenants: queryBool(query, 'all_tenants'),
  };
}
