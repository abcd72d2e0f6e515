import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { getLogger } from '../../../common/logger.js';
import { ConfigError } from '../../../common/config-error.js';
import {
  LocalRepository, MemoryRepository, ObjectNotFoundError, RepositoryAccessError, RepositoryError, type ObjectHandle, type Repository,
} from '../../../backup-worker/repositories/index.js';
import { RepositoryUnavailableError, ResilientRepository } from '../../../backup-worker/repositories/resilient.js';
import { readSecret } from '../../../backup-worker/repositories/secrets.js';
import { ThrottledRepository } from '../../../backup-worker/repositories/throttled.js';

const log = getLogger('test');
const H: ObjectHandle = { kind: 'pack', name: 'ab01' };

/** A memory store whose calls fail `failures` times first, with the error `make` gives. */
class FlakyStore extends MemoryRepository {
  calls = 0;
  constructor(private failures: number, private readonly make: () => Error = () => new RepositoryError('load (connection reset)')) {
    super();
  }

  override async load(h: ObjectHandle): Promise<Buffer> {
    this.calls += 1;
    if (this.failures-- > 0) throw this.make();
    return super.load(h);
  }
}

function resilient(inner: Repository, retries = 2): ResilientRepository {
  return new ResilientRepository(inner, { name: 'offsite', description: 'offsite (sftp backup@host:22/srv)', retries, minDelayMs: 10, log });
}

describe('Repository wrappers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-wrappers-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('retries transient failures and succeeds', async () => {
    const store = new FlakyStore(2);
    await store.save(H, () => Readable.from([Buffer.from('data')]));
    expect((await resilient(store).load(H)).toString()).to.equal('data');
    expect(store.calls).to.equal(3);
  });

  it('gives up after its retries with an error naming the repository and the attempts', async () => {
    const store = new FlakyStore(10);
    const err = await resilient(store).load(H).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(RepositoryUnavailableError);
    expect((err as Error).message).to.match(/^Backup repository offsite \(sftp backup@host:22\/srv\) failed after 3 attempts/);
    expect(store.calls).to.equal(3);
  });

  it('does not retry a missing object or refused credentials', async () => {
    const missing = new FlakyStore(0);
    expect(await resilient(missing).load(H).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(ObjectNotFoundError);
    const refused = new FlakyStore(10, () => new RepositoryAccessError('S3 refused access'));
    const err = await resilient(refused).load(H).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.equal('Backup repository offsite (sftp backup@host:22/srv): S3 refused access');
    expect(refused.calls).to.equal(1);
  });

  it('holds saves and loads to the bandwidth limit (here 1 MiB/s)', async () => {
    const store = new ThrottledRepository(new LocalRepository(dir), 1024 * 1024);
    const data = randomBytes(2 * 1024 * 1024);
    let started = performance.now();
    await store.save(H, () => Readable.from([data]));
    const saveSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const loaded = await store.load(H, { offset: 0, length: data.length });
    const loadSeconds = (performance.now() - started) / 1000;
    expect(loaded.equals(data)).to.equal(true);
    // 2 MiB at 1 MiB/s, less the bucket's initial burst of a quarter second.
    expect(saveSeconds).to.be.greaterThan(1.6);
    expect(loadSeconds).to.be.greaterThan(1.6);
  });

  it('retries opening a streamed range, throttles its stream, and offers none over a store without', async () => {
    const inner = new MemoryRepository({ streamsRanges: true });
    const data = randomBytes(2 * 1024 * 1024);
    await inner.save(H, () => Readable.from([data]));
    let opens = 0;
    const open = inner.openRange!.bind(inner);
    const flakyOpen: Repository['openRange'] = (h, range, o) => (++opens < 3 ? Promise.reject(new RepositoryError('load (connection reset)')) : open(h, range, o));
    Object.assign(inner, { openRange: flakyOpen });
    const store = resilient(new ThrottledRepository(inner, 1024 * 1024));
    const started = performance.now();
    const parts: Buffer[] = [];
    for await (const part of await store.openRange!(H, { offset: 0, length: data.length })) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(data)).to.equal(true);
    expect(opens).to.equal(3);
    // 2 MiB at 1 MiB/s, less the bucket's initial burst of a quarter second.
    expect((performance.now() - started) / 1000).to.be.greaterThan(1.6);
    expect(resilient(new ThrottledRepository(new LocalRepository(dir), 1024)).openRange).to.equal(undefined);
  });

  it('a throttled save whose body fails fails, leaving nothing', async () => {
    const store = new ThrottledRepository(new LocalRepository(dir), 64 * 1024 * 1024);
    const failing = () => Readable.from((async function* () {
      yield Buffer.alloc(1000);
      throw new Error('source broke');
    })());
    const err = await store.save({ kind: 'pack', name: 'cd01' }, failing).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(await store.stat({ kind: 'pack', name: 'cd01' }).then(() => 'there', () => 'absent')).to.equal('absent');
  });

  it('reads secrets from the environment or from a file only Floe can read', async () => {
    expect(await readSecret({ env: 'FLOE_TEST_SECRET' }, 'the key', { FLOE_TEST_SECRET: 's3cr3t' })).to.equal('s3cr3t');
    expect(await readSecret({ env: 'FLOE_TEST_SECRET' }, 'the key', {}).then(() => '', (e: Error) => e.message)).to.match(/FLOE_TEST_SECRET is not set/);
    const file = join(dir, 'secret');
    await writeFile(file, 'from-file\n', { mode: 0o600 });
    expect(await readSecret({ file }, 'the key')).to.equal('from-file');
    await chmod(file, 0o644);
    const err = await readSecret({ file }, 'the secretAccessKey of backup repository cloud').then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/cloud: .* is accessible to other users \(mode 644\); chmod 600 it/);
    expect((err as Error).message).not.to.include('from-file');
  });
});
