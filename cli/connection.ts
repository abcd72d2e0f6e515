import { UsageError } from './errors.js';
import type { Connection } from './http-client.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8776';
export const DEFAULT_PROJECT = 'demo';
export const DEFAULT_USER = 'demo';

export interface ConnectionFlags {
  readonly endpoint?: string;
  readonly project?: string;
  readonly user?: string;
}

/** The environment variables `floe` reads, in the order they are tried; printed by `floe --help`. */
export const ENVIRONMENT_HELP = [
  'Environment (a flag wins over its variables):',
  `  FLOE_ENDPOINT                 --endpoint: API root, without /v3 (default ${DEFAULT_ENDPOINT})`,
  `  FLOE_PROJECT, OS_PROJECT_ID   --project: project id (default ${DEFAULT_PROJECT})`,
  `  FLOE_USER, OS_USER_ID         --user: user id (default ${DEFAULT_USER})`,
  '  Requests go to {endpoint}/v3/{project} with the noauth token X-Auth-Token: {user}:{project}.',
].join('\n');

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  return {
    endpoint: parseEndpoint(firstSet(flags.endpoint, env.FLOE_ENDPOINT) ?? DEFAULT_ENDPOINT),
    project: firstSet(flags.project, env.FLOE_PROJECT, env.OS_PROJECT_ID) ?? DEFAULT_PROJECT,
    user: firstSet(flags.user, env.FLOE_USER, env.OS_USER_ID) ?? DEFAULT_USER,
  };
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v.trim() !== '');
}

function parseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`the endpoint '${raw}' is not a URL (expected e.g. ${DEFAULT_ENDPOINT})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the endpoint '${raw}' must be an http:// or https:// URL`);
  }
  return raw.replace(/\/+$/, '');
}
