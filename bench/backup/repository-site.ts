import { rm } from 'node:fs/promises';
import path from 'node:path';
import { treeBytes, warmFiles } from './files.js';
import { bucketBytes, deleteBucket, readBucket } from './remote/s3-bucket.js';
import { SFTP_SERVER } from './remote/servers.js';

/** Where the tools' repositories are: a local directory, the bench's SFTP server, its S3 server. */
export const REPOSITORY_TARGETS = ['local', 'sftp', 's3'] as const;
export type RepositoryTarget = (typeof REPOSITORY_TARGETS)[number];

/** A repository as a tool is told where it is. */
export type RepositoryLocation =
  | { readonly target: 'local'; readonly path: string }
  /** A directory of SFTP_SERVER, created by the tool's init. */
  | { readonly target: 'sftp'; readonly path: string }
  /** A bucket of S3_SERVER, created by the tool's init. */
  | { readonly target: 's3'; readonly bucket: string };

/** One tool's repository in one round, as the bench measures, warms and removes it. */
export interface RepositorySite {
  readonly location: RepositoryLocation;
  /** What the server holds for it: `du -sb` of the directory, or the sum of the bucket's object sizes. */
  bytes(): Promise<number>;
  /** Has the server read all of it, so that every tool's step starts with its repository warm. */
  warm(): Promise<void>;
  /** Deletes it from the server. */
  remove(): Promise<void>;
}

/**
 * The site of a repository on `target`: `localDir` for a local one, else `name` — unique to the run,
 * round and tool — as the directory on the SFTP server or as the bucket.
 */
export function repositorySite(target: RepositoryTarget, localDir: string, name: string): RepositorySite {
  switch (target) {
    case 'local':
      return localSite(localDir);
    case 'sftp':
      return sftpSite(path.join(SFTP_SERVER.benchDir, name));
    case 's3':
      return bucketSite(name);
  }
}

/** Inside the tool's workspace: warmed with it, removed with the round's directory. */
function localSite(dir: string): RepositorySite {
  return { location: { target: 'local', path: dir }, bytes: () => treeBytes(dir), warm: async () => undefined, remove: async () => undefined };
}

/** The SFTP server's files are on this machine: measured, read and removed here. */
function sftpSite(dir: string): RepositorySite {
  return { location: { target: 'sftp', path: dir }, bytes: () => treeBytes(dir), warm: () => warmFiles([dir]), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Only through the S3 API: Swift's object files are named by hashes, not by bucket. */
function bucketSite(bucket: string): RepositorySite {
  return { location: { target: 's3', bucket }, bytes: () => bucketBytes(bucket), warm: () => readBucket(bucket), remove: () => deleteBucket(bucket) };
}
