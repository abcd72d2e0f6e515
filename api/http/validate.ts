import type { z } from 'zod';
import { InvalidInputError } from '../../common/errors.js';

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** Parses untrusted input with a zod schema; every problem is reported in one 400 message. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(`${result.error.issues.map(describeIssue).join('; ')}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one top-level element of a request body (`{"volume": {...}}`), as Cinder requires it. */
export function bodyElement(body: unknown, key: string): unknown {
  if (!isObject(body) || !(key in body)) {
    throw new InvalidInputError(`Missing required element '${key}' in request body.`);
  }
  return body[key];
}

/** The single action of a `POST .../action` body: `{"os-extend": {...}}` → ['os-extend', {...}]. */
export function actionOf(body: unknown): [string, unknown] {
  const keys = isObject(body) ? Object.keys(body) : [];
  if (!isObject(body) || keys.length !== 1) {
    throw new InvalidInputError('The action body must be an object with exactly one action name as its key.');
  }
  return [keys[0], body[keys[0]]];
}
