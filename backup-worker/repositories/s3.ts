import { addAbortSignal, Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { BucketLocationConstraint, ListMultipartUploadsCommandOutput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../common/errors.js';
import { SingleFlight } from '../../common/single-flight.js';
import { getLogger } from '../../common/logger.js';
import {
  checkObjectName,
  ObjectNotFoundError,
  RepositoryAccessError,
  RepositoryError,
  type ByteRange,
  type LoadOptions,
  type ObjectHandle,
  type ObjectInfo,
  type ObjectKind,
  type OpOptions,
  type Repository,
  type SaveOptions,
  REMOTE_CONCURRENCY,
  DEFAULT_IDLE_TIMEOUT_MS,
} from './repository.js';
import { objectPath, KIND_DIRS } from './layout.js';

// The SDK is CommonJS. Imported as an ES module, Node first scans its large entry file for export
// names, which added about 75 ms to every start of floe-agent on an S3 repository; `require` skips that.
const {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} = createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
type S3Client = import('@aws-sdk/client-s3').S3Client;

// Node 20 is the supported runtime; the SDK's notice about its future releases would only clutter
// the stderr of floe-agent and the services.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface S3RepositoryOptions {
  readonly endpoint?: string; // absent: AWS
  readonly region: string;
  readonly bucket: string;
  readonly prefix?: string; // key prefix, no leading/trailing slash needed
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly forcePathStyle?: boolean;
  readonly maxAttempts?: number; // the SDK's attempts per call (default 1, see DEFAULT_MAX_ATTEMPTS)
  readonly partSizeBytes?: number; // multipart part size (default 32 MiB; min 5 MiB); smaller sized saves are one PUT
  readonly idleTimeoutMs?: number; // a connection silent this long fails its request (default DEFAULT_IDLE_TIMEOUT_MS)
}

const MIB = 1024 * 1024;
/**
 * One retry policy for every repository type: ResilientRepository re-runs a failed call, with a
 * fresh body for a save. SDK retries on top of it would multiply the attempts (and the time a dead
 * server takes to be reported), and cannot replay a streamed PUT whose body is already consumed.
 */
const DEFAULT_MAX_ATTEMPTS = 1;
/**
 * Above the default pack (16 MiB plus a blob), so that packs go up in one streamed PUT, as restic
 * sends them: a multipart upload costs four requests instead of one (AWS bills each), and Swift's
 * s3api turns it into a static large object whose ranged reads are slower (docs/benchmarks.md).
 */
const DEFAULT_PART_SIZE = 32 * MIB;
const MIN_PART_SIZE = 5 * MIB;
/** Parts of a multipart upload sent at once. */
const UPLOAD_QUEUE_SIZE = 2;
const CONNECT_TIMEOUT_MS = 10_000;

const NOT_FOUND_ERRORS = new Set(['NoSuchKey', 'NotFound']);
const ACCESS_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'Forbidden',
  'InvalidToken',
  'ExpiredToken',
]);

const log = getLogger('repository:s3');

/**
 * A bucket of an S3-compatible object store (AWS, Ceph RGW, MinIO, Swift's s3api), keys laid out as
 * LocalRepository's files under an optional prefix. A PUT (single or multipart) is atomic; the
 * bucket is created on first use when it does not exist. Calls fail fast (one SDK attempt unless
 * `maxAttempts` says otherwise): ResilientRepository retries them (DEFAULT_MAX_ATTEMPTS).
 */
export class S3Repository implements Repository {
  readonly concurrency = REMOTE_CONCURRENCY;
  readonly #options: S3RepositoryOptions;
  readonly #prefix: string;
  readonly #where: string;
  #sdk?: S3Client;
  readonly #bucketCreation = new SingleFlight<void>();

  constructor(options: S3RepositoryOptions) {
    if ((options.partSizeBytes ?? DEFAULT_PART_SIZE) < MIN_PART_SIZE) {
      throw new InvalidInputError(`S3 part size must be at least ${MIN_PART_SIZE} bytes`);
    }
    this.#options = options;
    this.#prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.#where = `${describeEndpoint(options)} bucket ${options.bucket}`;
  }

  /**
   * A body of known size up to the part size is streamed in one PUT (never buffered); any other
   * is a streamed multipart upload, aborted on the server when it fails. The first save into a
   * missing bucket creates it; reads of one find nothing and create nothing.
   */
  async save(h: ObjectHandle, body: () => Readable, o?: SaveOptions): Promise<void> {
    try {
      await this.#save(h, body, o);
    } catch (err) {
      if (!(err instanceof MissingBucketError)) throw err;
      await this.#createBucket();
      await this.#save(h, body, o);
    }
  }

  async #save(h: ObjectHandle, body: () => Readable, o?: SaveOptions): Promise<void> {
    const Key = this.#keyOf(h);
    const partSize = this.#options.partSizeBytes ?? DEFAULT_PART_SIZE;
    if (o?.sizeBytes !== undefined && o.sizeBytes <= partSize) return this.#put(h, body(), o.sizeBytes, o.signal);
    const client = this.#client();
    const stream = o?.signal ? addAbortSignal(o.signal, body()) : body();
    // lib-storage only serves objects above the part size, which packs are not by default.
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client,
      params: { Bucket: this.#options.bucket, Key, Body: stream },
      partSize,
      queueSize: UPLOAD_QUEUE_SIZE,
    });
    try {
      await upload.done();
    } catch (err) {
      throw this.#classify(err, 'upload', `${h.kind}/${h.name}`); // a save never reports "not found"
    } finally {
      stream.destroy();
    }
  }

  /** One streamed PUT; a body that breaks aborts the request, so no object is left. */
  async #put(h: ObjectHandle, stream: Readable, sizeBytes: number, signal?: AbortSignal): Promise<void> {
    const broken = new AbortController();
    stream.once('error', (err) => broken.abort(err));
    const abortSignal = signal ? AbortSignal.any([signal, broken.signal]) : broken.signal;
    const command = new PutObjectCommand({ Bucket: this.#options.bucket, Key: this.#keyOf(h), Body: stream, ContentLength: sizeBytes });
    try {
      await this.#call('putObject', `${h.kind}/${h.name}`, (client) => client.send(command, { abortSignal }));
    } catch (err) {
      throw broken.signal.aborted ? this.#classify(broken.signal.reason, 'putObject', `${h.kind}/${h.name}`) : err;
    } finally {
      stream.destroy();
    }
  }

  async load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    if (range?.length === 0) {
      await this.stat(h, o);
      return Buffer.alloc(0);
    }
    const Key = this.#keyOf(h);
    return this.#call('getObject', h, async (client) => {
      const { body, length } = await this.#get(client, Key, range, o?.signal);
      return readBody(body, length, o?.into);
    });
  }

  /** The GET's body as it arrives; it fails when the connection breaks or stays silent for the idle timeout. */
  async openRange(h: ObjectHandle, range: ByteRange, o?: OpOptions): Promise<Readable> {
    const Key = this.#keyOf(h);
    return this.#call('getObject', h, async (client) => (await this.#get(client, Key, range, o?.signal)).body);
  }

  /** A GetObject of `Key`, or of `range` of it: its body and length. */
  async #get(client: S3Client, Key: string, range: ByteRange | undefined, signal?: AbortSignal): Promise<{ body: Readable; length: number }> {
    const Range = range && `bytes=${range.offset}-${range.offset + range.length - 1}`;
    const out = await client.send(new GetObjectCommand({ Bucket: this.#options.bucket, Key, Range }), { abortSignal: signal });
    if (!(out.Body instanceof Readable)) throw new Error('response has no readable body');
    return { body: out.Body, length: out.ContentLength ?? 0 };
  }

  async stat(h: ObjectHandle, o?: OpOptions): Promise<ObjectInfo> {
    const command = new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.#keyOf(h) });
    const out = await this.#call('headObject', h, (client) => client.send(command, { abortSignal: o?.signal }));
    return { kind: h.kind, name: h.name, sizeBytes: out.ContentLength ?? 0 };
  }

  async *list(kind: ObjectKind, o?: OpOptions): AsyncIterable<ObjectInfo> {
    const dir = `${this.#keyOfDir(kind)}/`;
    let token: string | undefined;
    do {
      const command = new ListObjectsV2Command({ Bucket: this.#options.bucket, Prefix: dir, ContinuationToken: token });
      const page = await this.#call('listObjectsV2', dir, (client) => client.send(command, { abortSignal: o?.signal })).catch(emptyIfBucketMissing<ListObjectsV2CommandOutput>({ $metadata: {} }));
      for (const item of page.Contents ?? []) {
        const name = nameInDir(kind, (item.Key ?? '').slice(dir.length));
        if (name) yield { kind, name, sizeBytes: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Aborts the unfinished multipart uploads of those kinds (a save cut off before it completed). */
  async removeTemporaries(kinds: readonly ObjectKind[], o?: OpOptions): Promise<number> {
    let removed = 0;
    for (const kind of kinds) {
      const dir = `${this.#keyOfDir(kind)}/`;
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const command = new ListMultipartUploadsCommand({ Bucket: this.#options.bucket, Prefix: dir, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker });
        const page = await this.#call('listMultipartUploads', dir, (client) => client.send(command, { abortSignal: o?.signal })).catch(emptyIfBucketMissing<ListMultipartUploadsCommandOutput>({ $metadata: {} }));
        for (const upload of page.Uploads ?? []) {
          const abort = new AbortMultipartUploadCommand({ Bucket: this.#options.bucket, Key: upload.Key, UploadId: upload.UploadId });
          await this.#call('abortMultipartUpload', upload.Key ?? dir, (client) => client.send(abort, { abortSignal: o?.signal }));
          removed += 1;
        }
        [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
      } while (keyMarker);
    }
    return removed;
  }

  /** DeleteObject succeeds on a missing key: HEAD first so that a missing object is reported. */
  async remove(h: ObjectHandle, o?: OpOptions): Promise<void> {
    await this.stat(h, o);
    const command = new DeleteObjectCommand({ Bucket: this.#options.bucket, Key: this.#keyOf(h) });
    await this.#call('deleteObject', h, (client) => client.send(command, { abortSignal: o?.signal }));
  }

  async close(): Promise<void> {
    this.#sdk?.destroy();
    this.#sdk = undefined;
  }

  /** Runs one SDK call on `target` (an object, or a key prefix being listed) and classifies its failure. */
  async #call<T>(call: string, target: ObjectHandle | string, run: (client: S3Client) => Promise<T>): Promise<T> {
    try {
      return await run(this.#client());
    } catch (err) {
      throw this.#classify(err, call, target);
    }
  }

  #client(): S3Client {
    return (this.#sdk ??= createClient(this.#options));
  }

  /** One CreateBucket for the saves that found the bucket missing together. */
  #createBucket(): Promise<void> {
    return this.#bucketCreation.run(() => this.#sendCreateBucket());
  }

  async #sendCreateBucket(): Promise<void> {
    const Bucket = this.#options.bucket;
    const { region } = this.#options;
    const location = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
    try {
      await this.#client().send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: location }));
      log.info('created bucket', { endpoint: describeEndpoint(this.#options), bucket: Bucket });
    } catch (err) {
      if (nameOf(err) !== 'BucketAlreadyOwnedByYou') throw this.#classify(err, 'createBucket');
    }
  }

  /**
   * Not found (an object of a missing bucket too) / a missing bucket, where a save creates it /
   * permanent (credentials, permissions) / anything else, which the caller may retry.
   */
  #classify(err: unknown, call: string, target: ObjectHandle | string = ''): Error {
    const name = nameOf(err);
    const h = typeof target === 'string' ? undefined : target;
    if (h && (NOT_FOUND_ERRORS.has(name) || statusOf(err) === 404)) return new ObjectNotFoundError(h);
    if (name === 'NoSuchBucket') return new MissingBucketError(`s3.${call}(${this.#where})`, { cause: err });
    if (ACCESS_ERRORS.has(name) || statusOf(err) === 403) {
      const reason = [ACCESS_ERRORS.has(name) ? name : '', `HTTP ${statusOf(err) ?? '?'}`].filter(Boolean).join(', ');
      return new RepositoryAccessError(
        `S3 at ${this.#where} refused access (${reason}): ` +
          'check the access key, the secret and the permissions on the bucket',
      );
    }
    const what = h ? `${h.kind}/${h.name}` : target;
    return new RepositoryError(`s3.${call}(${this.#where}${what ? ` ${what}` : ''})`, { cause: err });
  }

  #keyOf(h: ObjectHandle): string {
    checkObjectName(h);
    return this.#prefix ? `${this.#prefix}/${objectPath(h)}` : objectPath(h);
  }

  #keyOfDir(kind: ObjectKind): string {
    return this.#prefix ? `${this.#prefix}/${KIND_DIRS[kind]}` : KIND_DIRS[kind];
  }
}

function createClient(o: S3RepositoryOptions): S3Client {
  return new S3Client({
    endpoint: o.endpoint,
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, sessionToken: o.sessionToken },
    retryMode: 'standard',
    maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    // Plain signed payloads: some S3-compatible servers (Swift's s3api) refuse aws-chunked bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK asks for "100 Continue" before a body of 2 MiB or more, so before every pack, on a new
    // connection each time: a full backup over loopback took a median 4.41 s with it and 4.23 s
    // without (6 alternating pairs). A refusal (wrong secret, no permission) already shows on the
    // small requests that open a repository, before any pack is sent.
    expectContinueHeader: false,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS },
  });
}

/** Reads a GET body into `into` when it is large enough, else into one fresh buffer. */
async function readBody(body: Readable, length: number, into?: Buffer): Promise<Buffer> {
  const target = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let done = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (done + chunk.length > length) throw new Error(`body longer than its Content-Length ${length}`);
    done += chunk.copy(target, done);
  }
  if (done !== length) throw new Error(`body ended after ${done} of ${length} bytes`);
  return target;
}

/** The object name a listed key holds, relative to its kind's directory (packs sit one level down). */
function nameInDir(kind: ObjectKind, relative: string): string | undefined {
  const parts = relative.split('/');
  return parts.length === (kind === 'pack' ? 2 : 1) && parts[parts.length - 1] ? parts[parts.length - 1] : undefined;
}

/** The bucket does not exist: a save creates it, a listing finds nothing. */
class MissingBucketError extends RepositoryError {}

function emptyIfBucketMissing<T>(empty: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof MissingBucketError) return empty;
    throw err;
  };
}

function describeEndpoint(o: S3RepositoryOptions): string {
  return o.endpoint ? o.endpoint.replace(/\/\/[^@/]*@/, '//') : `AWS S3 ${o.region}`;
}

function nameOf(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
