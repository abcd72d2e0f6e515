import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';

/**
 * The Swift all-in-one that scripts/services/swift.sh starts for the tests (loopback only): the
 * native API with tempauth and, on the same port, the S3 API of its s3api middleware.
 */
export const SWIFT_TEST = {
  proxyUrl: 'http://127.0.0.1:8080',
  authV1Url: 'http://127.0.0.1:8080/auth/v1.0',
  user: 'test:tester',
  key: 'testing',
} as const;

/**
 * The Keystone v3 of scripts/services/keystone.sh (loopback only) and the second Swift proxy that
 * authenticates with it, which its catalog lists as the object-store (accounts KEY_<project id>).
 */
export const KEYSTONE_TEST = {
  authUrl: 'http://127.0.0.1:5000/v3',
  username: 'floe-tester',
  password: 'testing-ks',
  project: 'floe-test',
  swiftProxyUrl: 'http://127.0.0.1:8081',
} as const;

export const S3_TEST = {
  endpoint: 'http://127.0.0.1:8080',
  region: 'us-east-1',
  accessKeyId: 'test:tester',
  secretAccessKey: 'testing',
  forcePathStyle: true,
} as const;

/** A plain S3 client of the test server, for tests that look behind a repository's back. */
export function testS3Client(): S3Client {
  return new S3Client({
    ...S3_TEST,
    credentials: { accessKeyId: S3_TEST.accessKeyId, secretAccessKey: S3_TEST.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** Aborts a test bucket's pending uploads, deletes its objects, then the bucket; a missing bucket is fine. */
export async function deleteTestBucket(client: S3Client, name: string): Promise<void> {
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: name })).catch(() => undefined);
  if (!uploads) return;
  for (const u of uploads.Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: u.Key, UploadId: u.UploadId }));
  }
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }));
    for (const item of page.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: name, Key: item.Key }));
    token = page.NextContinuationToken;
  } while (token);
  await client.send(new DeleteBucketCommand({ Bucket: name }));
}
