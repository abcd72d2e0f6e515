import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import {
  ObjectNotFoundError,
  RepositoryAccessError,
  RepositoryError,
  type ObjectInfo,
  type Repository,
} from '../../../backup-worker/repositories/index.js';
import { BackupRepository } from '../../../backup-worker/engine/index.js';
import { openConfiguredStore } from '../../../backup-worker/repositories/open.js';
import { RepositoryUnavailableError } from '../../../backup-worker/repositories/resilient.js';
import { getLogger } from '../../../common/logger.js';
import { parseRepositories } from '../../../common/repository-config.js';
import { SwiftRepository, type SwiftAuth } from '../../../backup-worker/repositories/swift.js';
import { uniqueName } from '../../support/env.js';
import { KEYSTONE_TEST, SWIFT_TEST } from '../../support/swift-server.js';
import { BufferSource, imageWithHoles, readBack, withTempDir } from '../../support/backup-fixtures.js';
import { outcomeWithin } from '../../support/outcome-within.js';
import { TcpRelay } from '../../support/tcp-relay.js';
import { repositoryConformance } from './repository-conformance.js';

// Runs against the Swift all-in-one of scripts/services/swift.sh (tempauth, memcached on 11211) and,
// for Keystone v3, against scripts/services/keystone.sh's Keystone and the Swift proxy behind it.
const AUTH: SwiftAuth = { version: '1', authUrl: SWIFT_TEST.authV1Url, user: SWIFT_TEST.user, key: SWIFT_TEST.key };
const KEYSTONE_AUTH: SwiftAuth = {
  version: '3',
  authUrl: KEYSTONE_TEST.authUrl,
  username: KEYSTONE_TEST.username,
  password: KEYSTONE_TEST.password,
  userDomain: 'Default',
  project: KEYSTONE_TEST.project,
  projectDomain: 'Default',
};
const MEMCACHED = { host: '127.0.0.1', port: 11211 };
/** The containers the tests made, by the authentication of their account. */
const containers = new Map<string, 'tempauth' | 'keystone'>();

function openSwift(options: { container?: string; prefix?: string; auth?: SwiftAuth } = {}): SwiftRepository {
  const container = options.container ?? uniqueName('floe-swift-test');
  const auth = options.auth ?? AUTH;
  containers.set(container, auth.version === '3' ? 'keystone' : 'tempauth');
  return new SwiftRepository({ auth, container, prefix: options.prefix });
}

const body = (data: string | Buffer) => () => Readable.from([Buffer.from(data)]);

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (err: unknown) => err);
}

/** A save with a wrong secret fails with RepositoryAccessError naming where and who, never the secret. */
async function expectAccessRefused(repo: Repository, named: readonly string[], secret: string): Promise<void> {
  const err = await caught(repo.save({ kind: 'lock', name: 'l1' }, body('x')));
  expect(err).to.be.instanceOf(RepositoryAccessError);
  const message = (err as Error).message;
  for (const part of named) expect(message).to.include(part);
  expect(message).to.not.include(secret);
  expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).to.not.include(secret);
}

async function collect(items: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const names: string[] = [];
  for await (const item of items) names.push(item.name);
  return names.sort();
}

type Session = { token: string; storageUrl: string };

/** The native API as the test user, straight over fetch (checks and clean-up, not under test). */
async function tempauth(): Promise<Session> {
  const res = await fetch(SWIFT_TEST.authV1Url, { headers: { 'X-Auth-User': SWIFT_TEST.user, 'X-Auth-Key': SWIFT_TEST.key } });
  expect(res.status).to.equal(200);
  return { token: res.headers.get('x-auth-token') as string, storageUrl: res.headers.get('x-storage-url') as string };
}

/** A Keystone token of the test user and the account URL of the Swift proxy behind Keystone. */
async function keystone(): Promise<Session> {
  const res = await fetch(`${KEYSTONE_TEST.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: KEYSTONE_TEST.username, domain: { id: 'default' }, password: KEYSTONE_TEST.password } } },
        scope: { project: { name: KEYSTONE_TEST.project, domain: { id: 'default' } } },
      },
    }),
  });
  expect(res.status).to.equal(201);
  const { token } = (await res.json()) as { token: { project: { id: string } } };
  return { token: res.headers.get('x-subject-token') as string, storageUrl: `${KEYSTONE_TEST.swiftProxyUrl}/v1/KEY_${token.project.id}` };
}

const login = { tempauth, keystone } as const;

async function send(session: Session, method: string, path: string, token = session.token): Promise<Response> {
  const res = await fetch(`${session.storageUrl}/${path}`, { method, headers: { 'X-Auth-Token': token } });
  await res.arrayBuffer();
  return res;
}

async function listNames(session: Session, container: string): Promise<string[]> {
  const res = await fetch(`${session.storageUrl}/${container}?format=json`, { headers: { 'X-Auth-Token': session.token } });
  if (res.status !== 200) return [];
  return ((await res.json()) as { name: string }[]).map((o) => o.name);
}

async function swiftRequest(method: string, path: string, token?: string, via: keyof typeof login = 'tempauth'): Promise<Response> {
  return send(await login[via](), method, path, token);
}

async function objectNames(container: string, via: keyof typeof login = 'tempauth'): Promise<string[]> {
  return listNames(await login[via](), container);
}

/** Swift's memcache middleware keys entries by the MD5 of the key; tempauth keeps its tokens there. */
async function memcachedDelete(key: string): Promise<string> {
  const hashed = createHash('md5').update(key).digest('hex');
  const socket = net.connect(MEMCACHED.port, MEMCACHED.host);
  socket.end(`delete ${hashed}\r\nquit\r\n`);
  const reply = Buffer.concat((await socket.toArray()) as Buffer[]);
  return reply.toString().trim();
}

/** Records every fetch (and optionally rewrites its URL) while the real requests go to the server. */
function spyOnFetch(rewrite: (url: string) => string = (url) => url) {
  const original = globalThis.fetch;
  const calls: { method: string; url: string; status: number; keystoneToken: string | null }[] = [];
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = rewrite(String(input));
    const res = await original(url, init);
    calls.push({ method: init?.method ?? 'GET', url, status: res.status, keystoneToken: res.headers.get('x-subject-token') });
    return res;
  };
  return { calls, restore: () => void (globalThis.fetch = original) };
}

/**
 * Deletes the containers made so far, logging in once per account. Keystone checks every request's
 * token (about a quarter of a second each here), so Keystone's containers are removed after each test
 * rather than all at the end, where the requests added up past mocha's timeout on a loaded machine.
 */
async function removeTestContainers(): Promise<void> {
  const made = [...containers];
  containers.clear();
  const accounts = [...new Set(made.map(([, via]) => via))];
  const sessions = new Map(await Promise.all(accounts.map(async (via) => [via, await login[via]()] as const)));
  await Promise.all(
    made.map(async ([container, via]) => {
      const account = sessions.get(via) as Session;
      await Promise.all((await listNames(account, container)).map((name) => send(account, 'DELETE', `${container}/${name}`)));
      await send(account, 'DELETE', container);
    }),
  );
}

describe('Swift with tempauth', () => {
  after(removeTestContainers);
  repositoryConformance('swift (a fresh container per test)', async () => openSwift(), { streamsRanges: true });
  const sharedContainer = uniqueName('floe-swift-test');
  repositoryConformance('swift (a fresh prefix in a shared container)', async () =>
    openSwift({ container: sharedContainer, prefix: `/${uniqueName('run')}/repo/` }),
    { streamsRanges: true },
  );
});

describe('Swift with Keystone v3', () => {
  afterEach(removeTestContainers);
  repositoryConformance('swift with Keystone v3 (a fresh container per test)', async () => openSwift({ auth: KEYSTONE_AUTH }), { streamsRanges: true });
});

describe('SwiftRepository', () => {
  let repo: Repository | undefined;
  afterEach(async () => {
    await repo?.close();
    repo = undefined;
    await removeTestContainers();
  });

  it('creates its container at first use and keys objects as the local layout does', async () => {
    const container = uniqueName('floe-swift-test');
    expect((await swiftRequest('HEAD', container)).status).to.equal(404);
    repo = openSwift({ container, prefix: 'backups/vol-1' });
    await repo.save({ kind: 'pack', name: 'f00d12' }, body('pack'));
    await repo.save({ kind: 'key', name: 'k1' }, body('key'));
    expect((await swiftRequest('HEAD', container)).status).to.equal(204);
    expect(await objectNames(container)).to.deep.equal(['backups/vol-1/keys/k1', 'backups/vol-1/packs/f0/f00d12']);
  });

  it('works again after close(), on new connections and a new token', async () => {
    repo = openSwift();
    const h = { kind: 'index', name: 'i1' } as const;
    await repo.save(h, body('before close'));
    await repo.close();
    expect((await repo.load(h)).toString()).to.equal('before close');
  });

  it('finds nothing in a missing container and creates none: only a save does', async () => {
    const container = uniqueName('floe-swift-absent');
    repo = openSwift({ container });
    const h = { kind: 'config', name: 'config' } as const;
    expect(await caught(repo.stat(h))).to.be.instanceOf(ObjectNotFoundError);
    expect(await caught(repo.load(h))).to.be.instanceOf(ObjectNotFoundError);
    expect(await caught(repo.remove(h))).to.be.instanceOf(ObjectNotFoundError);
    expect(await collect(repo.list('manifest'))).to.deep.equal([]);
    expect((await swiftRequest('HEAD', container)).status).to.equal(404);
  });

  it('loads byte ranges of a 20 MiB object, and into a caller buffer', async () => {
    repo = openSwift();
    const data = randomBytes(20 * 1024 * 1024);
    const h = { kind: 'pack', name: 'big20' } as const;
    await repo.save(h, () => Readable.from([data.subarray(0, 7 << 20), data.subarray(7 << 20)]));
    expect(await repo.stat(h)).to.deep.equal({ kind: 'pack', name: 'big20', sizeBytes: data.length });
    for (const [offset, length] of [[0, 1], [12_345_678, 3 << 20], [data.length - 10, 10]]) {
      expect((await repo.load(h, { offset, length })).equals(data.subarray(offset, offset + length))).to.equal(true);
    }
    expect((await repo.load(h, { offset: data.length - 4, length: 100 })).equals(data.subarray(-4))).to.equal(true);
    const into = Buffer.alloc(data.length + 16);
    const whole = await repo.load(h, undefined, { into });
    expect(whole.equals(data)).to.equal(true);
    expect(whole.buffer).to.equal(into.buffer);
  });

  it('lists across several pages of the container listing', async () => {
    repo = openSwift();
    const names = ['aa01', 'aa02', 'ab01', 'bb01', 'cc01'];
    for (const name of names) await repo.save({ kind: 'pack', name }, body(name));
    // The real server answers pages of 2 objects instead of 10000 (the repository's page size).
    const spy = spyOnFetch((url) => url.replace('limit=10000', 'limit=2'));
    try {
      expect(await collect(repo.list('pack'))).to.deep.equal(names);
    } finally {
      spy.restore();
    }
    expect(spy.calls.filter((c) => c.url.includes('limit=2')).length).to.equal(4);
  });

  it('refuses a wrong key with RepositoryAccessError naming the auth URL and user, not the key', async () => {
    const key = `wrong-${randomBytes(6).toString('hex')}`;
    repo = openSwift({ auth: { ...AUTH, key } });
    await expectAccessRefused(repo, [SWIFT_TEST.authV1Url, SWIFT_TEST.user], key);
  });

  it('re-authenticates once when the server no longer accepts its token', async () => {
    repo = openSwift();
    const h = { kind: 'index', name: 'i1' } as const;
    await repo.save(h, body('before'));
    // Tempauth hands every client of a user the same cached token: revoke it on the server.
    const { token } = await tempauth();
    expect(await memcachedDelete(`AUTH_/token/${token}`)).to.equal('DELETED');
    await memcachedDelete(`AUTH_/user/${SWIFT_TEST.user}`);
    expect((await swiftRequest('HEAD', '', token)).status).to.equal(401);
    const spy = spyOnFetch();
    try {
      expect((await repo.load(h)).toString()).to.equal('before');
    } finally {
      spy.restore();
    }
    expect(spy.calls.map((c) => `${c.method} ${c.status}`)).to.deep.equal(['GET 401', 'GET 200', 'GET 200']);
    expect(spy.calls[1].url).to.equal(SWIFT_TEST.authV1Url);
  });

  it('fails with RepositoryError naming the container while the connection is cut, then works again', async () => {
    const relay = await TcpRelay.start('127.0.0.1', 8080);
    try {
      const container = uniqueName('floe-swift-test');
      repo = openSwift({ container, auth: { ...AUTH, authUrl: `http://127.0.0.1:${relay.port}/auth/v1.0` } });
      const h = { kind: 'manifest', name: 'm1' } as const;
      await repo.save(h, body('kept'));
      await relay.down();
      for (const call of [() => repo!.load(h), () => repo!.save(h, body('lost')), () => repo!.stat(h)]) {
        const err = await caught(call());
        expect(err).to.be.instanceOf(RepositoryError);
        expect((err as Error).message).to.include(container);
      }
      await relay.up();
      expect((await repo.load(h)).toString()).to.equal('kept');
      await repo.remove(h);
      expect(await caught(repo.stat(h))).to.be.instanceOf(ObjectNotFoundError);
    } finally {
      await relay.down();
    }
  });

  it('fails a load and a save to a silent server after the configured timeout, naming the repository', async () => {
    const relay = await TcpRelay.start('127.0.0.1', 8080);
    const container = uniqueName('floe-swift-test');
    containers.set(container, 'tempauth');
    process.env.FLOE_TEST_SWIFT_KEY = SWIFT_TEST.key;
    const authUrl = `http://127.0.0.1:${relay.port}/auth/v1.0`;
    const entry = { name: 'silent', type: 'swift', authUrl, user: SWIFT_TEST.user, key: { env: 'FLOE_TEST_SWIFT_KEY' }, container, timeout: 1 };
    const { repositories } = parseRepositories({ raw: JSON.stringify([entry]), dataDir: '/nonexistent', compression: 'zstd', legacy: {} });
    const store = await openConfiguredStore(repositories[0], { retries: 0, log: getLogger('test') });
    try {
      const h = { kind: 'pack', name: 'silent' } as const;
      await store.save(h, body(randomBytes(4 * 1024 * 1024)));
      relay.stall();
      for (const call of [() => store.load(h), () => store.save(h, body(randomBytes(16 * 1024 * 1024)))]) {
        const err = await outcomeWithin(call(), 5000);
        expect(err).to.be.instanceOf(RepositoryUnavailableError);
        expect((err as Error).message).to.include(`silent (swift 127.0.0.1:${relay.port} container ${container})`);
      }
    } finally {
      await relay.down();
      await store.close();
      delete process.env.FLOE_TEST_SWIFT_KEY;
    }
  });
});

describe('SwiftRepository with Keystone v3', () => {
  let repo: SwiftRepository | undefined;
  afterEach(async () => {
    await repo?.close();
    repo = undefined;
    await removeTestContainers();
  });

  it("stores objects at the catalog's object-store URL of the user's project", async () => {
    const container = uniqueName('floe-swift-test');
    repo = openSwift({ container, auth: KEYSTONE_AUTH, prefix: 'p' });
    await repo.save({ kind: 'index', name: 'i1' }, body('via keystone'));
    expect(await objectNames(container, 'keystone')).to.deep.equal(['p/index/i1']);
    expect((await swiftRequest('HEAD', container)).status, 'not in the tempauth account').to.equal(404);
  });

  it('backs up and restores through the engine', async () => {
    repo = openSwift({ auth: KEYSTONE_AUTH });
    const backups = await BackupRepository.init(repo, { passphrase: 'keystone test' }, { packSizeBytes: 1024 * 1024 });
    const image = imageWithHoles(3 * 1024 * 1024 + 777);
    await backups.backup(new BufferSource(image), { backupId: 'b1' });
    await withTempDir(async (dir) => {
      await backups.restore('b1', join(dir, 'restored.img'));
      expect((await readBack(join(dir, 'restored.img'))).equals(image)).to.equal(true);
    });
    expect((await backups.verify('b1')).ok).to.equal(true);
  });

  it('opens from an operator configuration, the password read from the environment', async () => {
    const container = uniqueName('floe-swift-test');
    containers.set(container, 'keystone');
    process.env.FLOE_TEST_KEYSTONE_PASSWORD = KEYSTONE_TEST.password;
    const entry = { name: 'ks', type: 'swift', authUrl: KEYSTONE_TEST.authUrl, authVersion: '3', user: KEYSTONE_TEST.username, key: { env: 'FLOE_TEST_KEYSTONE_PASSWORD' }, project: KEYSTONE_TEST.project, region: 'RegionOne', container };
    const { repositories } = parseRepositories({ raw: JSON.stringify([entry]), dataDir: '/nonexistent', compression: 'zstd', legacy: {} });
    const store = await openConfiguredStore(repositories[0], { retries: 0, log: getLogger('test') });
    try {
      await store.save({ kind: 'key', name: 'k1' }, body('configured'));
      expect((await store.load({ kind: 'key', name: 'k1' })).toString()).to.equal('configured');
    } finally {
      await store.close();
      delete process.env.FLOE_TEST_KEYSTONE_PASSWORD;
    }
    expect(await objectNames(container, 'keystone')).to.deep.equal(['keys/k1']);
  });

  it('refuses a wrong password with RepositoryAccessError naming Keystone and the user, not the password', async () => {
    const password = `wrong-${randomBytes(6).toString('hex')}`;
    repo = openSwift({ auth: { ...KEYSTONE_AUTH, password } });
    await expectAccessRefused(repo, [KEYSTONE_TEST.authUrl, KEYSTONE_TEST.username], password);
  });

  it('logs in again once when Keystone has revoked its token', async () => {
    repo = openSwift({ auth: KEYSTONE_AUTH });
    const h = { kind: 'manifest', name: 'm1' } as const;
    const login = spyOnFetch();
    try {
      await repo.save(h, body('before'));
    } finally {
      login.restore();
    }
    const tokens = login.calls.flatMap((c) => c.keystoneToken ?? []);
    expect(tokens).to.have.length(1);
    const revoke = await fetch(`${KEYSTONE_TEST.authUrl}/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': tokens[0], 'X-Subject-Token': tokens[0] } });
    expect(revoke.status).to.equal(204);
    const spy = spyOnFetch();
    try {
      expect((await repo.load(h)).toString()).to.equal('before');
    } finally {
      spy.restore();
    }
    expect(spy.calls.map((c) => `${c.method} ${c.status}`)).to.deep.equal(['GET 401', 'POST 201', 'GET 200']);
    expect(spy.calls[1].url).to.equal(`${KEYSTONE_TEST.authUrl}/auth/tokens`);
  });
});
