import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import { parseByteSize, type RepositoryDefinition, type S3Params, type SftpParams, type SwiftParams } from '../../common/repository-config.js';
import { LocalRepository } from './local.js';
import type { Repository } from './repository.js';
import { ResilientRepository } from './resilient.js';
import { readPrivateFile, readSecret } from './secrets.js';
import { ThrottledRepository } from './throttled.js';

export interface OpenOptions {
  readonly retries: number;
  readonly log: Logger;
  /** First backoff delay; tests shorten it. */
  readonly minRetryDelayMs?: number;
}

/**
 * The store of a configured repository, its credentials read now (environment or private file),
 * with its bandwidth limit and retries around it. Nothing is contacted until the first call.
 */
export async function openConfiguredStore(definition: RepositoryDefinition, options: OpenOptions): Promise<Repository> {
  let store = await openStore(definition);
  if (definition.bandwidthBytesPerSec !== undefined) store = new ThrottledRepository(store, definition.bandwidthBytesPerSec);
  return new ResilientRepository(store, {
    name: definition.name,
    description: describeRepository(definition),
    retries: options.retries,
    minDelayMs: options.minRetryDelayMs,
    log: options.log,
  });
}

/** "offsite (sftp backup@10.0.0.5:22/srv/floe)": what and where, never a secret. */
export function describeRepository(definition: RepositoryDefinition): string {
  const p = definition.params;
  const where =
    p.type === 'local' ? p.path
    : p.type === 'sftp' ? `${p.user}@${p.host}:${p.port}${p.path.startsWith('/') ? '' : '/'}${p.path}`
    : p.type === 's3' ? `${p.endpoint ?? 'AWS'} bucket ${p.bucket}${p.prefix ? `/${p.prefix}` : ''}`
    : `${new URL(p.authUrl).host} container ${p.container}${p.prefix ? `/${p.prefix}` : ''}`;
  return `${definition.name} (${definition.type} ${where})`;
}

async function openStore(definition: RepositoryDefinition): Promise<Repository> {
  const p = definition.params;
  const what = (field: string) => `the ${field} of backup repository ${definition.name}`;
  switch (p.type) {
    case 'local':
      return new LocalRepository(path.resolve(p.path));
    case 'sftp':
      return openSftp(p, what);
    case 's3':
      return openS3(p, what);
    case 'swift':
      return openSwift(p, what);
  }
}

// The remote stores' modules (ssh2, the AWS SDK) are loaded only when such a repository is
// configured: they would add half a second to every floe-agent start.
async function openSftp(p: SftpParams, what: (field: string) => string): Promise<Repository> {
  const { SftpRepository } = await import('./sftp.js');
  return new SftpRepository({
    host: p.host,
    port: p.port,
    username: p.user,
    privateKey: await readPrivateFile(p.privateKeyFile, what('privateKeyFile')),
    passphrase: p.passphrase && (await readSecret(p.passphrase, what('passphrase'))),
    hostKey: p.hostKey,
    path: p.path,
    maxInFlight: p.maxInFlight,
    idleTimeoutMs: milliseconds(p.timeout),
  });
}

async function openS3(p: S3Params, what: (field: string) => string): Promise<Repository> {
  const { S3Repository } = await import('./s3.js');
  return new S3Repository({
    endpoint: p.endpoint,
    region: p.region,
    bucket: p.bucket,
    prefix: p.prefix,
    forcePathStyle: p.forcePathStyle,
    partSizeBytes: p.partSize === undefined ? undefined : parseByteSize(p.partSize, 'the partSize of an s3 repository'),
    accessKeyId: typeof p.accessKeyId === 'string' ? p.accessKeyId : await readSecret(p.accessKeyId, what('accessKeyId')),
    secretAccessKey: await readSecret(p.secretAccessKey, what('secretAccessKey')),
    sessionToken: p.sessionToken && (await readSecret(p.sessionToken, what('sessionToken'))),
    idleTimeoutMs: milliseconds(p.timeout),
  });
}

async function openSwift(p: SwiftParams, what: (field: string) => string): Promise<Repository> {
  const secret = await readSecret(p.key, what('key'));
  const auth =
    p.authVersion === '1'
      ? { version: '1' as const, authUrl: p.authUrl, user: p.user, key: secret }
      : {
          version: '3' as const,
          authUrl: p.authUrl,
          username: p.user,
          password: secret,
          userDomain: p.userDomain,
          project: p.project ?? p.user,
          projectDomain: p.projectDomain,
          region: p.region,
          interface: p.interface,
        };
  const { SwiftRepository } = await import('./swift.js');
  return new SwiftRepository({ auth, container: p.container, prefix: p.prefix, idleTimeoutMs: milliseconds(p.timeout) });
}

function milliseconds(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}
