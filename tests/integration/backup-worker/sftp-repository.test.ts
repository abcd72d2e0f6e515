import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import {
  ObjectNotFoundError,
  RepositoryAccessError,
  RepositoryError,
  type Repository,
} from '../../../backup-worker/repositories/index.js';
import { SftpRepository, type SftpRepositoryOptions } from '../../../backup-worker/repositories/sftp.js';
import {
  readSftpKnownHostsLine,
  readSftpPassphrase,
  removeSftpTestRepositories,
  SFTP_TEST,
  sftpTestOptions,
} from '../../support/sftp-server.js';
import { outcomeWithin } from '../../support/outcome-within.js';
import { TcpRelay } from '../../support/tcp-relay.js';
import { repositoryConformance } from './repository-conformance.js';

const opened: Repository[] = [];
async function openRepo(overrides: Partial<SftpRepositoryOptions> = {}): Promise<SftpRepository> {
  const repo = new SftpRepository(await sftpTestOptions(overrides));
  opened.push(repo);
  return repo;
}

const exec = promisify(execFile);
const bytes = (data: Buffer | string) => () => Readable.from([Buffer.from(data)]);
const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as Error);

/** The server's key as OpenSSH prints it: "SHA256:" and unpadded base64. */
async function serverFingerprint(): Promise<string> {
  const blob = Buffer.from((await readSftpKnownHostsLine()).split(' ')[2], 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

describe('SFTP repository (scripts/services/sshd.sh)', () => {
  after(removeSftpTestRepositories);
  afterEach(async () => {
    for (const repo of opened.splice(0)) await repo.close();
  });

  repositoryConformance('sftp', async () => new SftpRepository(await sftpTestOptions()));
  describe('SftpRepository', defineSftpTests);
});

function defineSftpTests(): void {
  it('lays objects out as the local repository does, packs sharded, nothing temporary left', async () => {
    const options = await sftpTestOptions();
    const repo = new SftpRepository(options);
    opened.push(repo);
    await repo.save({ kind: 'pack', name: 'f00d' }, bytes('x'));
    await repo.save({ kind: 'index', name: 'i1' }, bytes('y'));
    expect(await readdir(join(options.path, 'packs', 'f0'))).to.deep.equal(['f00d']);
    expect(await readdir(join(options.path, 'index'))).to.deep.equal(['i1']);
  });

  it('removeTemporaries deletes what cut-off saves left (.tmp-* of the given kinds), nothing else', async () => {
    const options = await sftpTestOptions();
    const repo = await openRepo({ path: options.path });
    await repo.save({ kind: 'pack', name: 'ab01' }, bytes('kept'));
    await repo.save({ kind: 'lock', name: 'l1' }, bytes('lock'));
    // As a connection cut in the middle of an upload leaves them on the server (this machine).
    await exec('install', ['-o', SFTP_TEST.username, '-m', '0644', '/dev/null', join(options.path, 'packs', 'ab', '.tmp-cut')]);
    await exec('install', ['-o', SFTP_TEST.username, '-m', '0644', '/dev/null', join(options.path, 'locks', '.tmp-taking')]);
    expect(await repo.removeTemporaries(['pack', 'index'])).to.equal(1);
    expect(await readdir(join(options.path, 'packs', 'ab'))).to.deep.equal(['ab01']);
    expect((await readdir(join(options.path, 'locks'))).sort()).to.deep.equal(['.tmp-taking', 'l1']);
  });

  it('removes the temporary file when the body fails', async () => {
    const options = await sftpTestOptions();
    const repo = new SftpRepository(options);
    opened.push(repo);
    const failing = () =>
      Readable.from(
        (async function* () {
          yield randomBytes(300_000);
          throw new Error('source broke');
        })(),
      );
    const err = await failureOf(repo.save({ kind: 'pack', name: 'dd01' }, failing));
    expect(err).to.be.instanceOf(RepositoryError);
    expect(err?.message).to.include('source broke');
    expect(await readdir(join(options.path, 'packs', 'dd'))).to.deep.equal([]);
  });

  it('authenticates with a passphrase-protected key', async () => {
    const repo = await openRepo({
      privateKey: await readFile(SFTP_TEST.passphraseKeyPath),
      passphrase: await readSftpPassphrase(),
    });
    await repo.save({ kind: 'key', name: 'k1' }, bytes('secret-free'));
    expect((await repo.load({ kind: 'key', name: 'k1' })).toString()).to.equal('secret-free');
  });

  it('refuses a wrong passphrase with an access error that holds no secret', async () => {
    const repo = await openRepo({ privateKey: await readFile(SFTP_TEST.passphraseKeyPath), passphrase: 'not-the-passphrase' });
    const err = await failureOf(repo.stat({ kind: 'config', name: 'config' }));
    expect(err).to.be.instanceOf(RepositoryAccessError);
    expect(err?.message).to.include(`${SFTP_TEST.username}@${SFTP_TEST.host}:${SFTP_TEST.port}`);
    expect(err?.message).to.match(/private key .* cannot be used/);
    expect(err?.message).not.to.include('not-the-passphrase');
    expect(err?.message).not.to.include(await readSftpPassphrase());
  });

  it('refuses a key the server does not authorize', async () => {
    const stranger = ssh2.utils.generateKeyPairSync('ed25519');
    const repo = await openRepo({ privateKey: Buffer.from(stranger.private) });
    const err = await failureOf(repo.load({ kind: 'config', name: 'config' }));
    expect(err).to.be.instanceOf(RepositoryAccessError);
    expect(err?.message).to.equal(
      `The SSH server ${SFTP_TEST.host}:${SFTP_TEST.port} refused the key of user ${SFTP_TEST.username}.`,
    );
  });

  it('refuses a server whose key differs from the pinned one, naming both fingerprints', async () => {
    const other = ssh2.utils.generateKeyPairSync('ed25519').public;
    const otherBlob = Buffer.from(other.split(' ')[1], 'base64');
    const otherFingerprint = `SHA256:${createHash('sha256').update(otherBlob).digest('base64').replace(/=+$/, '')}`;
    const repo = await openRepo({ hostKey: `[127.0.0.1]:2222 ${other}` });
    const err = await failureOf(repo.save({ kind: 'lock', name: 'l1' }, bytes('x')));
    expect(err).to.be.instanceOf(RepositoryAccessError);
    expect(err?.message).to.include(`${SFTP_TEST.host}:${SFTP_TEST.port}`);
    expect(err?.message).to.include(await serverFingerprint());
    expect(err?.message).to.include(otherFingerprint);
  });

  it('accepts a SHA256 fingerprint pin and refuses a wrong one', async () => {
    const right = await openRepo({ hostKey: await serverFingerprint() });
    await right.save({ kind: 'config', name: 'config' }, bytes('pinned'));
    expect((await right.load({ kind: 'config', name: 'config' })).toString()).to.equal('pinned');

    const wrongPin = `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
    const wrong = await openRepo({ hostKey: wrongPin });
    const err = await failureOf(wrong.stat({ kind: 'config', name: 'config' }));
    expect(err).to.be.instanceOf(RepositoryAccessError);
    expect(err?.message).to.include(wrongPin).and.include(await serverFingerprint());
  });

  it('refuses a host key pin it cannot read', async () => {
    const options = await sftpTestOptions({ hostKey: 'ssh-ed25519 not-base64-of-a-key' });
    expect(() => new SftpRepository(options)).to.throw(RepositoryAccessError, /neither a known_hosts line/);
  });

  it('reports a directory it may not write to as an access error', async () => {
    const repo = await openRepo({ path: '/floe-no-permission' });
    const err = await failureOf(repo.save({ kind: 'config', name: 'config' }, bytes('x')));
    expect(err).to.be.instanceOf(RepositoryAccessError);
    expect(err?.message).to.include('denied user floe-sftp');
  });

  it('loads a 20 MiB object whole, by ranges and into a given buffer', async () => {
    const repo = await openRepo();
    const data = randomBytes(20 * 1024 * 1024 + 123);
    const h = { kind: 'pack', name: 'big1' } as const;
    await repo.save(h, () => Readable.from([data.subarray(0, 5_000_000), data.subarray(5_000_000)]));
    expect((await repo.stat(h)).sizeBytes).to.equal(data.length);
    expect((await repo.load(h)).equals(data)).to.equal(true);
    for (const [offset, length] of [[0, 1], [65_535, 2], [7_000_001, 9_000_000], [data.length - 10, 10]]) {
      const part = await repo.load(h, { offset, length });
      expect(part.equals(data.subarray(offset, offset + length))).to.equal(true);
    }
    expect((await repo.load(h, { offset: data.length - 5, length: 100 })).equals(data.subarray(data.length - 5))).to.equal(true);
    const into = Buffer.alloc(4_000_000);
    const viaInto = await repo.load(h, { offset: 1_000_000, length: 3_000_000 }, { into });
    expect(viaInto.buffer).to.equal(into.buffer);
    expect(viaInto.equals(data.subarray(1_000_000, 4_000_000))).to.equal(true);
  });

  it('keeps concurrent calls apart on one connection', async () => {
    const repo = await openRepo({ maxInFlight: 3 });
    const objects = Array.from({ length: 12 }, (_, i) => ({ name: `cc${i.toString().padStart(2, '0')}`, data: randomBytes(100_000 + i) }));
    await Promise.all(objects.map((o) => repo.save({ kind: 'pack', name: o.name }, bytes(o.data))));
    const loaded = await Promise.all(objects.map((o) => repo.load({ kind: 'pack', name: o.name })));
    loaded.forEach((data, i) => expect(data.equals(objects[i].data)).to.equal(true));
  });

  it('fails the call in flight when the connection drops and reconnects on the next call', async () => {
    const relay = await TcpRelay.start(SFTP_TEST.host, SFTP_TEST.port);
    try {
      const repo = await openRepo({ port: relay.port });
      await repo.save({ kind: 'index', name: 'before' }, bytes('kept'));
      const cutMidway = () =>
        Readable.from(
          (async function* () {
            yield randomBytes(1_000_000);
            await relay.down();
            yield randomBytes(1_000_000);
          })(),
        );
      const err = await failureOf(repo.save({ kind: 'pack', name: 'ee01' }, cutMidway));
      expect(err).to.be.instanceOf(RepositoryError);
      expect(err?.message).to.include(`127.0.0.1:${relay.port}`);
      const whileDown = await failureOf(repo.stat({ kind: 'index', name: 'before' }));
      expect(whileDown).to.be.instanceOf(RepositoryError);
      await relay.up();
      expect((await repo.load({ kind: 'index', name: 'before' })).toString()).to.equal('kept');
      expect(await failureOf(repo.stat({ kind: 'pack', name: 'ee01' }))).to.be.instanceOf(ObjectNotFoundError);
    } finally {
      await relay.down().catch(() => undefined);
    }
  });

  it('gives up a server that goes silent without closing the connection after idleTimeoutMs', async () => {
    const relay = await TcpRelay.start(SFTP_TEST.host, SFTP_TEST.port);
    try {
      const repo = await openRepo({ port: relay.port, idleTimeoutMs: 1000 });
      await repo.save({ kind: 'index', name: 'before' }, bytes('kept'));
      relay.stall();
      const err = await outcomeWithin(repo.load({ kind: 'index', name: 'before' }), 5000);
      expect(err).to.be.instanceOf(RepositoryError);
      expect((err as Error).message).to.include(`127.0.0.1:${relay.port}`);
    } finally {
      await relay.down();
    }
  });

  it('gives up a connection whose SFTP requests go unanswered while SSH still answers, then reconnects', async () => {
    const repo = await openRepo({ port: SFTP_TEST.sftpServerPort, idleTimeoutMs: 1000 });
    await repo.save({ kind: 'index', name: 'before' }, bytes('kept'));
    // The connection's own sftp-server process: stopped, it leaves requests unanswered while sshd
    // still answers the connection's keepalives (as a server stuck on a dead disk would).
    const server = Number((await exec('pgrep', ['-n', '-u', SFTP_TEST.username, '-x', 'sftp-server'])).stdout);
    process.kill(server, 'SIGSTOP');
    try {
      const err = await outcomeWithin(repo.load({ kind: 'index', name: 'before' }), 5000);
      expect(err).to.be.instanceOf(RepositoryError);
      expect((err as Error).message)
        .to.include(`127.0.0.1:${SFTP_TEST.sftpServerPort}`)
        .and.include('answered no SFTP request for 1 s');
      expect((await repo.load({ kind: 'index', name: 'before' })).toString()).to.equal('kept');
    } finally {
      process.kill(server, 'SIGKILL');
    }
  });

  it('fails fast with the server named when the port is closed', async () => {
    const relay = await TcpRelay.start(SFTP_TEST.host, SFTP_TEST.port);
    await relay.down();
    const repo = await openRepo({ port: relay.port });
    const err = await failureOf(repo.load({ kind: 'config', name: 'config' }));
    expect(err).to.be.instanceOf(RepositoryError);
    expect(err?.message).to.include(`sftp.connect(floe-sftp@127.0.0.1:${relay.port})`);
  });

  it('gives up after connectTimeoutMs when the server never answers', async function () {
    this.timeout(5000); // the default connect timeout (10 s) would exceed it
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const repo = await openRepo({ port, connectTimeoutMs: 300 });
      const err = await failureOf(repo.stat({ kind: 'config', name: 'config' }));
      expect(err).to.be.instanceOf(RepositoryError);
      expect(err?.message).to.include(`127.0.0.1:${port}`).and.include('Timed out');
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('connects lazily and holds no connection after close', async () => {
    const repo = new SftpRepository(await sftpTestOptions());
    expect(await connectionsToServer()).to.equal(0);
    await repo.save({ kind: 'lock', name: 'l1' }, bytes('x'));
    expect(await connectionsToServer()).to.equal(1);
    await repo.close();
    await repo.close();
    expect(await connectionsToServer()).to.equal(0);
  });
}

/** This process's established TCP connections to the test server, as the kernel lists them. */
async function connectionsToServer(): Promise<number> {
  const { stdout } = await exec('ss', ['-Htnp', 'state', 'established', 'dst', `${SFTP_TEST.host}:${SFTP_TEST.port}`]);
  return stdout.split('\n').filter((line) => line.includes(`pid=${process.pid},`)).length;
}
