import type { Request } from 'express';
import { InvalidInputError } from '../../common/errors.js';

export type Query = Request['query'];

/** One query parameter as a string; the last one wins when it is repeated (`?a=1&a=2`). */
export function queryString(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof last !== 'string') throw new InvalidInputError(`Invalid value for query parameter ${name}.`);
  return last;
}

const TRUE_WORDS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_WORDS = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo's strict bool_from_string, as Cinder reads `with_count=True`, `detail=True`, `all_tenants=1`. */
export function parseBool(name: string, value: string): boolean {
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new InvalidInputError(`Invalid value '${value}' for ${name}: expected a boolean such as True or False.`);
}

export function queryBool(query: Query, name: string): boolean {
  const value = queryString(query, name);
  return value === undefined ? false : parseBool(name, value);
}
