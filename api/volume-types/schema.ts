import { isAdmin, type RequestContext } from '../../common/context.js';
import { InvalidInputError } from '../../common/errors.js';
import { parseBool, queryString, type Query } from '../http/query.js';
import type { TypeFilters } from './queries.js';

/** Cinder's _parse_is_public: absent → public only, `None` → all, else a boolean. */
export function parseIsPublic(value: string | undefined): boolean | undefined {
  if (value === undefined) return true;
  if (value.trim().toLowerCase() === 'none') return undefined;
  try {
    return parseBool('is_public', value);
  } catch {
    throw new InvalidInputError(`Invalid is_public filter [${value}]`);
  }
}

/** Only admins may ask for private types; everyone else always gets the public ones. */
export function typeFilters(query: Query, context: RequestContext): TypeFilters {
  const isPublic = isAdmin(context) ? parseIsPublic(queryString(query, 'is_public')) : true;
  return { isPublic, name: queryString(query, 'name') };
}
