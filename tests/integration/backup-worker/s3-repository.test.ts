import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
  ObjectNotFoundError,
  RepositoryAccessError,
  RepositoryError,
  type ObjectHandle,
} from '../../../backup-worker/repositories/repository.js';
import { S3Repository, type S3RepositoryOptions } from '../../../backup-worker/repositories/s3.js';
import { uniqueName } from '../../support/env.js';
import { deleteTestBucket, S3_TEST, testS3Client } from '../../support/swift-server.js';
import { outcomeWithin } from '../../support/outcome-within.js';
import { TcpRelay } from '../../support/tcp-relay.js';
import { repositoryConformance } from './repository-conformance.js';

const MIB = 1024 * 1024;
const bucket = uniqueName('floe-s3-test');
const buckets = [bucket];
const raw = testS3Client();

function options(overrides: Partial<S3RepositoryOptions> = {}): S3RepositoryOptions {
  return { ...S3_TEST, bucket, prefix: uniqueName('run'), partSizeBytes: 5 * MIB, ...overrides };
}

/** A body of `count` random chunks of `size` bytes that calls `fail()`, then throws. */
function failingBody(size: number, count: number, fail: () => void): () => Readable {
  return () =>
    Readable.from(
      (async function* () {
        for (let i = 0; i < count; i++) yield randomBytes(size);
        fail();
        throw new Error('source broke');
      })(),
    );
}

async function pendingUploads(prefix: string): Promise<number> {
  const out = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return out.Uploads?.length ?? 0;
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(() => undefined, (err: unknown) => err);
}

after(async () => {
  for (const name of buckets) await deleteTestBucket(raw, name);
  raw.destroy();
});

repositoryConformance('s3', async () => new S3Repository(options()), { streamsRanges: true });

describe('S3Repository', () => {
  const big = randomBytes(40 * MIB);
  const h: ObjectHandle = { kind: 'pack', name: 'f00d01' };

  it('saves a 40 MiB object in parts and loads it whole and by ranges', async () => {
    const o = options();
    const repo = new S3Repository(o);
    try {
      const chunks = Array.from({ length: 40 }, (_, i) => big.subarray(i * MIB, (i + 1) * MIB));
      await repo.save(h, () => Readable.from(chunks));
      const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: `${o.prefix}/packs/f0/f00d01` }));
      expect(head.ETag).to.match(/-8"?$/); // 8 parts of 5 MiB
      expect((await repo.load(h)).equals(big)).to.equal(true);
      for (const [offset, length] of [[0, 1], [5 * MIB - 10, 20], [17 * MIB + 3, 9 * MIB], [40 * MIB - 7, 7]]) {
        const part = await repo.load(h, { offset, length });
        expect(part.equals(big.subarray(offset, offset + length)), `${offset}+${length}`).to.equal(true);
      }
      expect(await repo.stat(h)).to.deep.equal({ kind: 'pack', name: 'f00d01', sizeBytes: 40 * MIB });
    } finally {
      await repo.close();
    }
  });

  it('streams a save of known size up to the part size in one PUT, and leaves nothing when its body breaks', async () => {
    const o = options();
    const repo = new S3Repository(o);
    try {
      const body = big.subarray(0, 5 * MIB);
      await repo.save(h, () => Readable.from([body.subarray(0, MIB), body.subarray(MIB)]), { sizeBytes: body.length });
      const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: `${o.prefix}/packs/f0/f00d01` }));
      expect(head.ETag).to.match(/^"?[0-9a-f]{32}"?$/); // one PUT: a plain MD5, not "<md5>-<parts>"
      expect((await repo.load(h)).equals(body)).to.equal(true);

      const broken: ObjectHandle = { kind: 'pack', name: 'f00d03' };
      const failed = await failure(() => repo.save(broken, failingBody(MIB, 3, () => undefined), { sizeBytes: 4 * MIB }));
      expect(failed).to.be.instanceOf(RepositoryError);
      expect(await failure(() => repo.stat(broken))).to.be.instanceOf(ObjectNotFoundError);
      expect(await pendingUploads(o.prefix!)).to.equal(0);
    } finally {
      await repo.close();
    }
  });

  it('reads into the buffer it is given when that is large enough', async () => {
    const repo = new S3Repository(options());
    try {
      await repo.save(h, () => Readable.from([big.subarray(0, MIB)]));
      const into = Buffer.alloc(2 * MIB);
      const got = await repo.load(h, { offset: 100, length: 1000 }, { into });
      expect(got.buffer).to.equal(into.buffer);
      expect(got.byteOffset).to.equal(into.byteOffset);
      expect(got.equals(big.subarray(100, 1100))).to.equal(true);
      const small = Buffer.alloc(10);
      const whole = await repo.load(h, undefined, { into: small });
      expect(whole.buffer).to.not.equal(small.buffer);
      expect(whole.equals(big.subarray(0, MIB))).to.equal(true);
    } finally {
      await repo.close();
    }
  });

  it('leaves no object and no pending multipart upload when the body fails or the save is aborted', async () => {
    const o = options();
    const repo = new S3Repository(o);
    try {
      const Key = `${o.prefix}/sanity`;
      const { UploadId } = await raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
      expect(await pendingUploads(o.prefix!)).to.equal(1); // the check below can see a leftover
      await raw.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));

      const failed = await failure(() => repo.save(h, failingBody(2 * MIB, 7, () => undefined)));
      expect(failed).to.be.instanceOf(RepositoryError);
      expect((failed as Error).message).to.include('source broke');

      const controller = new AbortController();
      const aborted = await failure(() =>
        repo.save({ kind: 'pack', name: 'f00d02' }, failingBody(2 * MIB, 7, () => controller.abort()), {
          signal: controller.signal,
        }),
      );
      expect(aborted).to.be.instanceOf(RepositoryError);

      expect(await pendingUploads(o.prefix!)).to.equal(0);
      for (const name of ['f00d01', 'f00d02']) {
        expect(await failure(() => repo.stat({ kind: 'pack', name }))).to.be.instanceOf(ObjectNotFoundError);
      }
    } finally {
      await repo.close();
    }
  });

  it('refuses a wrong secret with RepositoryAccessError that names the server but not the secret', async () => {
    const secret = `wrong-${randomBytes(12).toString('hex')}`;
    const repo = new S3Repository(options({ secretAccessKey: secret }));
    try {
      for (const call of [() => repo.save(h, () => Readable.from([Buffer.from('x')])), () => repo.load(h)]) {
        const err = await failure(call);
        expect(err).to.be.instanceOf(RepositoryAccessError);
        const message = (err as Error).message;
        expect(message).to.include(S3_TEST.endpoint).and.to.include(bucket);
        expect(message).to.not.include(secret);
        expect(JSON.stringify(err)).to.not.include(secret);
      }
    } finally {
      await repo.close();
    }
  });

  it('removeTemporaries aborts the unfinished multipart uploads of the given kinds', async () => {
    const o = options();
    const repo = new S3Repository(o);
    await repo.save({ kind: 'pack', name: 'ab01' }, () => Readable.from([Buffer.from('kept')]));
    // What a worker killed in the middle of a multipart upload leaves on the server.
    await raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${o.prefix}/packs/cd/cd02` }));
    await raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${o.prefix}/locks/shared-x` }));
    expect(await pendingUploads(`${o.prefix}/`)).to.equal(2);
    expect(await repo.removeTemporaries(['pack', 'index'])).to.equal(1);
    expect(await pendingUploads(`${o.prefix}/packs/`)).to.equal(0);
    expect(await pendingUploads(`${o.prefix}/locks/`)).to.equal(1);
    expect((await repo.load({ kind: 'pack', name: 'ab01' })).toString()).to.equal('kept');
    await repo.close();
  });

  it('creates its bucket on first use', async () => {
    const fresh = uniqueName('floe-s3-new');
    const missing = await failure(() => raw.send(new HeadBucketCommand({ Bucket: fresh })));
    expect(missing).to.be.instanceOf(Error);
    buckets.push(fresh);
    const repo = new S3Repository(options({ bucket: fresh, prefix: undefined }));
    try {
      await repo.save({ kind: 'config', name: 'config' }, () => Readable.from([Buffer.from('cfg')]));
      await raw.send(new HeadBucketCommand({ Bucket: fresh }));
      const keys = await raw.send(new ListObjectsV2Command({ Bucket: fresh }));
      expect(keys.Contents?.map((c) => c.Key)).to.deep.equal(['config/config']);
    } finally {
      await repo.close();
    }
  });

  it('finds nothing in a missing bucket and creates none: only a save does', async () => {
    const fresh = uniqueName('floe-s3-absent');
    buckets.push(fresh);
    const repo = new S3Repository(options({ bucket: fresh, prefix: undefined }));
    try {
      const h = { kind: 'config', name: 'config' } as const;
      expect(await failure(() => repo.stat(h))).to.be.instanceOf(ObjectNotFoundError);
      expect(await failure(() => repo.load(h))).to.be.instanceOf(ObjectNotFoundError);
      expect(await failure(() => repo.remove(h))).to.be.instanceOf(ObjectNotFoundError);
      const listed: string[] = [];
      for await (const info of repo.list('manifest')) listed.push(info.name);
      expect(listed).to.deep.equal([]);
      expect(await repo.removeTemporaries(['pack'])).to.equal(0);
      expect(await failure(() => raw.send(new HeadBucketCommand({ Bucket: fresh })))).to.be.instanceOf(Error);
    } finally {
      await repo.close();
    }
  });

  it('fails a load from a server that goes silent without closing the connection after idleTimeoutMs', async () => {
    const relay = await TcpRelay.start('127.0.0.1', Number(new URL(S3_TEST.endpoint).port));
    const repo = new S3Repository(options({ endpoint: `http://127.0.0.1:${relay.port}`, idleTimeoutMs: 1000 }));
    try {
      await repo.save(h, () => Readable.from([big]));
      relay.stall();
      const err = await outcomeWithin(repo.load(h), 5000);
      expect(err).to.be.instanceOf(RepositoryError);
      expect(err).to.not.be.instanceOf(ObjectNotFoundError);
    } finally {
      await relay.down();
      await repo.close();
    }
  });

  it('fails with RepositoryError when the connection is cut during a load, after retries, and recovers', async () => {
    const relay = await TcpRelay.start('127.0.0.1', Number(new URL(S3_TEST.endpoint).port));
    const repo = new S3Repository(options({ endpoint: `http://127.0.0.1:${relay.port}`, maxAttempts: 3 }));
    try {
      await repo.save(h, () => Readable.from([big]));
      const into = Buffer.alloc(big.length);
      let settled = false;
      const loading = failure(() => repo.load(h, undefined, { into })).finally(() => (settled = true));
      while (!settled && into.readBigUInt64LE(MIB) === 0n) await new Promise((resolve) => setImmediate(resolve));
      await relay.down();
      const cut = await loading;
      expect(cut).to.be.instanceOf(RepositoryError);
      expect(cut).to.not.be.instanceOf(ObjectNotFoundError);

      const refused = await failure(() => repo.load(h, { offset: 0, length: 10 }));
      expect(refused).to.be.instanceOf(RepositoryError);
      expect(((refused as Error).cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).to.equal(3);

      await relay.up();
      expect((await repo.load(h)).equals(big)).to.equal(true);
    } finally {
      await repo.close();
      await relay.down();
    }
  });
});
