import { sql, type RawBuilder } from 'kysely';
import { InvalidInputError } from '../../common/errors.js';
import { queryString, type Query } from './query.js';

export type SortDir = 'asc' | 'desc';
export interface SortKey {
  readonly key: string;
  readonly dir: SortDir;
}

const DEFAULT_DIR: SortDir = 'desc';

/** `limit` capped at the configured page size; absent → the page size. */
export function parseLimit(value: string | undefined, maxLimit: number): number {
  if (value === undefined) return maxLimit;
  if (!/^\s*-?\d+\s*$/.test(value)) throw new InvalidInputError('limit param must be an integer');
  const limit = Number(value);
  if (limit < 0) throw new InvalidInputError('limit param must be positive');
  return Math.min(limit, maxLimit);
}

function parseDir(value: string | undefined): SortDir {
  const dir = (value ?? DEFAULT_DIR).trim().toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') {
    throw new InvalidInputError(`Unknown sort direction '${value}', must be 'desc' or 'asc'.`);
  }
  return dir;
}

export interface SortRules {
  /** Accepted keys, mapped to the canonical key (`display_name` → `name`). */
  readonly keys: Readonly<Record<string, string>>;
  readonly defaults: readonly SortKey[];
}

function canonicalKey(rules: SortRules, key: string): string {
  const name = key.trim();
  if (!Object.hasOwn(rules.keys, name)) throw new InvalidInputError(`Invalid sort key ${name}.`);
  return rules.keys[name];
}

interface RequestedSort {
  /** Undefined when only `sort_dir` was given: the direction then applies to the default keys. */
  readonly key?: string;
  readonly dir?: string;
}

function requestedSort(query: Query): RequestedSort[] | undefined {
  const sort = queryString(query, 'sort');
  const legacyKey = queryString(query, 'sort_key');
  const legacyDir = queryString(query, 'sort_dir');
  if (sort !== undefined && (legacyKey !== undefined || legacyDir !== undefined)) {
    throw new InvalidInputError("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  if (sort !== undefined) {
    return sort.split(',').filter((item) => item.trim() !== '').map((item) => {
      const [key, dir] = item.split(':');
      return { key, dir };
    });
  }
  if (legacyKey === undefined && legacyDir === undefined) return undefined;
  return [{ key: legacyKey, dir: legacyDir }];
}

/**
 * `sort=key:dir,key2` or the legacy `sort_key`/`sort_dir`, as Cinder's get_sort_params (direction
 * `desc` when not given). An `id` key is always appended so that the order is total.
 */
export function parseSort(query: Query, rules: SortRules): SortKey[] {
  const requested = requestedSort(query);
  if (requested === undefined) return withIdTiebreak([...rules.defaults]);
  return withIdTiebreak(
    requested.flatMap((r) => {
      const dir = parseDir(r.dir);
      if (r.key === undefined) return rules.defaults.map((d) => ({ key: d.key, dir }));
      return [{ key: canonicalKey(rules, r.key), dir }];
    }),
  );
}

function withIdTiebreak(keys: SortKey[]): SortKey[] {
  const unique = keys.filter((k, i) => keys.findIndex((o) => o.key === k.key) === i);
  if (unique.some((k) => k.key === 'id')) return unique;
  return [...unique, { key: 'id', dir: unique[0]?.dir ?? DEFAULT_DIR }];
}

/**
 * The keyset condition "row comes after the marker" for a multi-key, mixed-direction order:
 * (k0 > m0) OR (k0 = m0 AND k1 > m1) OR ... with `<` for descending keys. `column` and `marker`
 * give the (never null) SQL expression of a key for the listed row and for the marker row.
 */
export function afterMarker(
  keys: readonly SortKey[],
  column: (key: string) => RawBuilder<unknown>,
  marker: (key: string) => RawBuilder<unknown>,
): RawBuilder<boolean> {
  const branches = keys.map((k, i) => {
    const equal = keys.slice(0, i).map((prev) => sql`${column(prev.key)} = ${marker(prev.key)}`);
    const op = k.dir === 'asc' ? sql`>` : sql`<`;
    return sql`(${sql.join([...equal, sql`${column(k.key)} ${op} ${marker(k.key)}`], sql` AND `)})`;
  });
  return sql<boolean>`(${sql.join(branches, sql` OR `)})`;
}

/** Cinder emits a `next` link only when the page is full. */
export function isFullPage(itemCount: number, limit: number): boolean {
  return itemCount > 0 && itemCount === limit;
}

/** The SQL of a sort key of table alias `table`, never null so that keyset comparisons hold. */
export function sortExpression(table: string, key: string): RawBuilder<unknown> {
  const column = sql.ref(`${table}.${key}`);
  if (key === 'name') return sql`coalesce(${column}, '')`;
  if (key === 'updated_at') return sql`coalesce(${column}, '-infinity'::timestamptz)`;
  return sql`${column}`;
}

/**
 * The rows of `table` after the marker row in the order of `keys`; the marker's values are read in
 * SQL so that timestamps keep their microseconds.
 */
export function afterMarkerRow(table: string, markerId: string, keys: readonly SortKey[]): RawBuilder<boolean> {
  const markerValue = (key: string) =>
    sql`(SELECT ${sortExpression('marker', key)} FROM ${sql.table(table)} AS marker WHERE marker.id = ${markerId})`;
  return afterMarker(keys, (key) => sortExpression(table, key), markerValue);
}
