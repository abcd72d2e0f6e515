import type { Readable } from 'node:stream';
import { FloeError } from '../../common/errors.js';

/** What a repository stores; each kind is listed and removed on its own. */
export const OBJECT_KINDS = ['config', 'key', 'lock', 'index', 'pack', 'manifest'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface ObjectHandle {
  readonly kind: ObjectKind;
  readonly name: string;
}

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface ObjectInfo {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly sizeBytes: number;
}

export interface OpOptions {
  readonly signal?: AbortSignal;
}

export interface SaveOptions extends OpOptions {
  /** The body's exact length, when the caller knows it: a store may then send it in one request. */
  readonly sizeBytes?: number;
}

export interface LoadOptions extends OpOptions {
  /**
   * A buffer the store may read the bytes into (when it is large enough), to spare a fresh
   * allocation per call; the result is then a view of it. Stores may ignore it.
   */
  readonly into?: Buffer;
}

/**
 * How many saves and loads the engine keeps in flight on a store. Each costs a pack- or range-sized
 * buffer; a remote server hides its round trips behind more.
 */
export interface StoreConcurrency {
  readonly saves: number;
  readonly loads: number;
}

// Two pack saves in flight while a third pack fills: a pack is written with O_DIRECT, and a run of
// incompressible blocks fills the next one faster than the disk takes the last (with one save, the
// local full backup stalled on it: 0.95-0.97 s against 0.91 s, for 16 MiB more at the peak;
// docs/benchmarks.md). Three measured the same as two.
export const LOCAL_CONCURRENCY: StoreConcurrency = { saves: 2, loads: 2 };
// Two pack saves in flight while a third pack fills, and four 4 MiB ranges ahead (read by SFTP; S3
// and Swift stream theirs instead): one save's round trips hide behind the other's transfer. Three
// saves and six ranges were no faster over loopback and held 16 MiB and 8 MiB more at the peak
// (docs/benchmarks.md).
export const REMOTE_CONCURRENCY: StoreConcurrency = { saves: 2, loads: 4 };

/**
 * How long a remote store waits without hearing from its server before the call fails (and is
 * retried). A server cut off without the connection closing (a network partition) would otherwise
 * hold the call: a connection waiting for an answer, with nothing of its own to send, never times out.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * A store of named objects, as small as an object store's API: put, get (whole or a range),
 * stat, list, delete. `save` is atomic: readers see the whole object or none of it, and is done
 * with the body's buffers once it settles (callers reuse them).
 */
export interface Repository {
  readonly concurrency: StoreConcurrency;
  save(h: ObjectHandle, body: () => Readable, o?: SaveOptions): Promise<void>;
  load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer>;
  /**
   * A range's bytes as they arrive, for stores whose server streams a ranged GET (S3, Swift): a
   * restore then reads a whole pack per request and holds only the blobs it decodes. Stores that
   * read a range into a buffer as cheaply (a local disk, SFTP's requests in flight) leave it out.
   * The stream fails when the server breaks off, or ends early; a missing object fails the call.
   */
  openRange?(h: ObjectHandle, range: ByteRange, o?: OpOptions): Promise<Readable>;
  stat(h: ObjectHandle, o?: OpOptions): Promise<ObjectInfo>;
  list(kind: ObjectKind, o?: OpOptions): AsyncIterable<ObjectInfo>;
  remove(h: ObjectHandle, o?: OpOptions): Promise<void>;
  /**
   * Removes what interrupted saves of objects of `kinds` left behind (temporary files, unfinished
   * multipart uploads); returns how many. Only safe when no save of those kinds runs (prune's
   * exclusive lock). Stores whose saves leave nothing return 0.
   */
  removeTemporaries(kinds: readonly ObjectKind[], o?: OpOptions): Promise<number>;
  close(): Promise<void>;
}

export class ObjectNotFoundError extends FloeError {
  constructor(h: ObjectHandle) {
    super('object_not_found', 404, `Repository object ${h.kind}/${h.name} does not exist.`);
  }
}

/** A store call failed for another reason than a missing object; names the call. */
export class RepositoryError extends FloeError {
  constructor(call: string, options?: { cause?: unknown }) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('repository_error', 500, `Repository call ${call} failed${detail}`, options);
  }
}

/**
 * The server refused us for a reason a retry cannot fix: wrong credentials, an SSH host key that
 * does not match the pinned one, no permission. The message is for the operator and holds no secret.
 */
export class RepositoryAccessError extends FloeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('repository_access_denied', 500, message, options);
  }
}

/** Object names are plain tokens so that every backend can store them as file or key names. */
export function checkObjectName(h: ObjectHandle): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(h.name)) {
    throw new RepositoryError(`name check (${h.kind}/${JSON.stringify(h.name)})`);
  }
}

/** Reads a body stream fully (what memory-backed stores keep). */
export async function readBody(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string));
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** Every object of `kind` the repository lists, in its order. */
export async function listAll(repo: Pick<Repository, 'list'>, kind: ObjectKind, o?: OpOptions): Promise<ObjectInfo[]> {
  const infos: ObjectInfo[] = [];
  for await (const info of repo.list(kind, o)) infos.push(info);
  return infos;
}
