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

export const S3_TEST = {
  endpoint: 'http://127.0.0.1:8080',
  region: 'us-east-1',
  accessKeyId: 'test:tester',
  secretAccessKey: 'testing',
  forcePathStyle: true,
} as const;
