import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3_SERVER } from './servers.js';

// As in Floe's own S3 repository: no notice about the SDK's future Node releases on the bench's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Requests at once when a whole bucket is read or emptied. */
const PARALLEL_REQUESTS = 8;

interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** What the bucket holds: the sum of the object sizes ListObjectsV2 gives. */
export function bucketBytes(bucket: string): Promise<number> {
  return withClient(async (client) => (await listObjects(client, bucket)).reduce((sum, o) => sum + o.size, 0));
}

/** GETs every object of the bucket and discards the bodies: the server reads all of it. */
export function readBucket(bucket: string): Promise<void> {
  return withClient(async (client) => {
    await inParallel(await listObjects(client, bucket), async ({ key }) => {
      const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(Body as Readable, new Writable({ write: (_chunk, _encoding, done) => done() }));
    });
  });
}

/** Deletes every object, then the bucket; a bucket that was never created is no error. */
export function deleteBucket(bucket: string): Promise<void> {
  return withClient(async (client) => {
    try {
      await inParallel(await listObjects(client, bucket), ({ key }) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (err) {
      if ((err as { name?: unknown }).name !== 'NoSuchBucket') throw err;
    }
  });
}

async function listObjects(client: S3Client, bucket: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) objects.push({ key: o.Key ?? '', size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** A client for one operation, closed after it (no idle sockets outlive the bench). */
async function withClient<T>(run: (client: S3Client) => Promise<T>): Promise<T> {
  const client = new S3Client({
    endpoint: S3_SERVER.endpoint,
    region: S3_SERVER.region,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_SERVER.accessKeyId, secretAccessKey: S3_SERVER.secretAccessKey },
    // Swift's s3api refuses the aws-chunked bodies that checksums would bring.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    return await run(client);
  } finally {
    client.destroy();
  }
}

async function inParallel<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, items.length) }, worker));
}
