import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { uniqueName } from './harness.js';

/**
 * A configuration with several backup repositories (FLOE_BACKUP_REPOSITORIES), unique names so
 * that runs do not share `backup_repositories` rows. Local ones in a temporary directory: the API
 * never opens them. The secret references are there to prove that no answer shows them.
 */
export interface RepositoryFixture {
  /** The default; replicates to `tape` then `offsite` (so the copies' name order differs from it). */
  readonly primary: string;
  readonly offsite: string;
  readonly tape: string;
  /** Only `owner` may use it. */
  readonly restricted: string;
  /** An S3 repository whose credentials are a variable and a file. */
  readonly cloud: string;
  readonly owner: string;
  /** Every string of the configuration that must never reach an answer. */
  readonly secrets: readonly string[];
  readonly env: Record<string, string>;
  remove(): void;
}

export function repositoryFixture(): RepositoryFixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'floe-api-repos-'));
  const [primary, offsite, tape, restricted, cloud] = ['primary', 'offsite', 'tape', 'restricted', 'cloud'].map(uniqueName);
  const owner = uniqueName('owner');
  const passwordFile = path.join(dir, 'primary.password');
  const keyIdVariable = `FLOE_TEST_${uniqueName('KEY').replace('-', '_').toUpperCase()}`;
  const secretFile = path.join(dir, 's3.secret');
  const bucket = uniqueName('bucket');
  const repositories = [
    { name: primary, type: 'local', path: path.join(dir, 'primary'), encryption: { passwordFile }, replicateTo: [tape, offsite] },
    { name: offsite, type: 'local', path: path.join(dir, 'offsite') },
    { name: tape, type: 'local', path: path.join(dir, 'tape') },
    { name: restricted, type: 'local', path: path.join(dir, 'restricted'), projects: [owner] },
    { name: cloud, type: 's3', bucket, accessKeyId: { env: keyIdVariable }, secretAccessKey: { file: secretFile } },
  ];
  return {
    primary, offsite, tape, restricted, cloud, owner,
    secrets: [dir, passwordFile, keyIdVariable, secretFile, bucket],
    env: { FLOE_BACKUP_REPOSITORIES: JSON.stringify(repositories), FLOE_BACKUP_DEFAULT_REPOSITORY: primary },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
