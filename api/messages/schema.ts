import { z } from 'zod';
import { queryString, type Query } from '../http/query.js';
import { parseInput } from '../http/validate.js';
import type { MessageFilters } from './queries.js';

const filtersSchema = z.object({
  request_id: z.string().optional(),
  resource_uuid: z.uuid({ error: 'resource_uuid must be a UUID' }).optional(),
  resource_type: z.string().optional(),
  event_id: z.string().optional(),
  message_level: z.string().optional(),
});

const FILTER_NAMES = Object.keys(filtersSchema.shape) as (keyof MessageFilters)[];

/** The filters `GET /messages` honours; other query parameters are ignored as Cinder does. */
export function messageFilters(query: Query): MessageFilters {
  const raw = Object.fromEntries(FILTER_NAMES.map((name) => [name, queryString(query, name)]));
  return parseInput(filtersSchema, raw);
}
