import { matchesExtraSpec } from '../extra-specs.js';
import type { BackendFilter } from './backend-filter.js';

/**
 * Keeps the backends whose capabilities satisfy every extra spec of the volume type (Cinder's
 * CapabilitiesFilter). Unscoped keys and `capabilities:` keys are matched (`capabilities:a:b` reads
 * the nested capability a.b); keys with another scope (`provisioning:type`, vendor scopes) are
 * left to whoever understands them. A missing capability fails the spec.
 */
export const capabilitiesFilter: BackendFilter = {
  name: 'CapabilitiesFilter',
  passes: (backend, request) =>
    Object.entries(request.extraSpecs).every(([key, requirement]) => satisfies(backend.capabilities, key, requirement)),
};

function satisfies(capabilities: Readonly<Record<string, unknown>>, key: string, requirement: string): boolean {
  const path = capabilityPath(key);
  if (path === undefined) return true;
  const value = lookup(capabilities, path);
  if (value === undefined) return false;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.some((v) => matchesExtraSpec(v, requirement));
}

/** The capability a spec key names, or undefined when the key belongs to another scope. */
function capabilityPath(key: string): string[] | undefined {
  const scope = key.split(':');
  if (scope[0] === 'capabilities') return scope.slice(1);
  return scope.length > 1 ? undefined : scope;
}

function lookup(capabilities: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = capabilities;
  for (const step of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}
