import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TestApi } from '../support/api-client.js';
import { uniqueName } from '../support/env.js';
import { readSftpKnownHostsLine, removeSftpTestRepositories, SFTP_TEST, sftpTestPath } from '../support/sftp-server.js';
import { startStack, type Stack } from '../support/stack.js';
import { deleteTestBucket, S3_TEST, testS3Client } from '../support/swift-server.js';
import { TcpRelay } from '../support/tcp-relay.js';

const exec = promisify(execFile);
const FLOE_AGENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/floe-agent.js');
const MIB = 1024 * 1024;
const BACKEND = 'only';
const S3_SECRET = S3_TEST.secretAccessKey;
const WRONG_SECRET = 'not-the-secret-7f3a';

type Json = Record<string, unknown>;
interface Copy {
  repository: string;
  status: string;
  fail_reason: string | null;
}

/**
 * Named repositories through the real processes and real servers (OpenSSH's sshd, the Swift
 * all-in-one's S3 API), each reached through a TCP relay a test can take down: replication to
 * sftp + s3 with the sftp server gone during restore and verify, a repository lost mid-backup,
 * wrong credentials and a changed host key.
 */
describe('e2e: remote repositories, replication and faults', function () {
  this.timeout(600_000);
  let stack: Stack;
  let api: TestApi;
  let sftpRelay: TcpRelay;
  let s3Relay: TcpRelay;
  let faultRelay: TcpRelay;
  let secrets: string;
  let repositories: Json[];

  before(async () => {
    [sftpRelay, s3Relay, faultRelay] = await Promise.all([
      TcpRelay.start(SFTP_TEST.host, SFTP_TEST.port),
      TcpRelay.start('127.0.0.1', Number(new URL(S3_TEST.endpoint).port)),
      TcpRelay.start(SFTP_TEST.host, SFTP_TEST.port),
    ]);
    secrets = await mkdtemp(path.join(tmpdir(), 'floe-secrets-'));
    await chmod(secrets, 0o700);
    await writeFile(path.join(secrets, 's3-secret'), `${S3_SECRET}\n`, { mode: 0o600 });
    await writeFile(path.join(secrets, 'wrong-secret'), WRONG_SECRET, { mode: 0o600 });
    const hostKey = await readSftpKnownHostsLine();
    // Another key than the server's: what a changed (or spoofed) host presents.
    const otherKey = (await readFile(`${SFTP_TEST.privateKeyPath}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    const sftp = (name: string, port: number, extra: Json = {}) => ({
      name, type: 'sftp', host: SFTP_TEST.host, port, user: SFTP_TEST.username,
      path: sftpTestPath(name), hostKey, privateKeyFile: SFTP_TEST.privateKeyPath, ...extra,
    });
    const s3 = (name: string, port: number, secretFile: string) => ({
      name, type: 's3', endpoint: `http://127.0.0.1:${port}`, region: S3_TEST.region, bucket: uniqueName('floe-e2e').toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      forcePathStyle: true, accessKeyId: S3_TEST.accessKeyId, secretAccessKey: { file: path.join(secrets, secretFile) },
    });
    repositories = [
      { name: 'default', type: 'local', path: path.join(secrets, 'local-repo') },
      sftp('offsite', sftpRelay.port, { replicateTo: ['cloud'] }),
      s3('cloud', s3Relay.port, 's3-secret'),
      // Slowed down so that the test can take its server away in the middle of a backup.
      sftp('flaky', faultRelay.port, { bandwidthLimit: '4M' }),
      s3('bad-secret', Number(new URL(S3_TEST.endpoint).port), 'wrong-secret'),
      sftp('bad-hostkey', SFTP_TEST.port, { hostKey: `[127.0.0.1]:${SFTP_TEST.port} ${otherKey}` }),
    ];
    stack = await startStack({
      backends: [{ name: BACKEND, capacityGb: 50 }],
      backup: true,
      env: { FLOE_BACKUP_REPOSITORIES: JSON.stringify(repositories), FLOE_BACKUP_RETRIES: '2' },
    });
    api = new TestApi(stack.apiUrl, 'demo', 'demo');
  });
  after(async () => {
    await stack?.stop();
    await Promise.all([sftpRelay, s3Relay, faultRelay].map((r) => r?.down().catch(() => undefined)));
    await removeSftpTestRepositories();
    const s3 = testS3Client();
    for (const r of repositories ?? []) if (r.type === 's3') await deleteTestBucket(s3, r.bucket as string);
    s3.destroy();
    if (secrets) await rm(secrets, { recursive: true, force: true });
  });

  function volumeFile(id: string): string {
    return path.join(stack.dataDir, 'volumes', BACKEND, `volume-${id}.img`);
  }

  async function volumeWith(pieces: readonly [number, Buffer][]): Promise<string> {
    const res = await api.request<{ volume: { id: string } }>('POST', '/volumes', { volume: { size: 1, name: uniqueName('src') } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const id = res.body.volume.id;
    await api.waitForVolume(id, ['available']);
    const fh = await open(volumeFile(id), 'r+');
    try {
      for (const [offset, data] of pieces) await fh.write(data, 0, data.length, offset);
    } finally {
      await fh.close();
    }
    return id;
  }

  async function digest(file: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file, { start: 0, end: 1024 * MIB - 1 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async function startBackup(volumeId: string, container: string): Promise<string> {
    const res = await api.request<{ backup: { id: string } }>('POST', '/backups', { backup: { volume_id: volumeId, container } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return res.body.backup.id;
  }

  async function backup(volumeId: string, container: string): Promise<Json> {
    return api.waitForBackup(await startBackup(volumeId, container), ['available', 'error'], 180_000);
  }

  async function repositoryStates(): Promise<Record<string, Json>> {
    const res = await api.request<{ backup_repositories: Json[] }>('GET', '/backup-repositories');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return Object.fromEntries(res.body.backup_repositories.map((r) => [r.name as string, r]));
  }

  /** The operator's floe-agent on a configured repository, with the worker's configuration. */
  function agent(...args: string[]) {
    return exec(process.execPath, [FLOE_AGENT, ...args], { env: { ...stack.env, PATH: process.env.PATH }, timeout: 120_000 });
  }

  it('lists the repositories with their state, no secrets, and shows wrong credentials and a changed host key as unavailable', async () => {
    const deadline = Date.now() + 90_000;
    let states = await repositoryStates();
    while (['default', 'offsite', 'cloud', 'flaky', 'bad-secret', 'bad-hostkey'].some((n) => states[n]?.state === 'unknown') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      states = await repositoryStates();
    }
    for (const name of ['default', 'offsite', 'cloud', 'flaky']) expect(states[name], name).to.include({ state: 'available' });
    expect(states.offsite).to.include({ type: 'sftp' });
    expect(states.offsite.replicate_to).to.deep.equal(['cloud']);
    expect(states.default.default).to.equal(true);
    expect(states['bad-secret']).to.include({ state: 'unavailable', type: 's3' });
    expect(String(states['bad-secret'].detail)).to.match(/bad-secret/).and.to.match(/refused access|403/i);
    expect(states['bad-hostkey']).to.include({ state: 'unavailable' });
    expect(String(states['bad-hostkey'].detail)).to.match(/host key/i);
    const text = JSON.stringify(states);
    for (const secret of [S3_SECRET, WRONG_SECRET, secrets, SFTP_TEST.privateKeyPath]) expect(text).not.to.include(secret);
  });

  it('replicates a backup to sftp and s3 from one read, and restores and verifies from s3 while the sftp server is gone', async () => {
    const vol = await volumeWith([[0, randomBytes(3 * MIB)], [300 * MIB + 17, randomBytes(MIB)]]);
    const want = await digest(volumeFile(vol));
    const made = await backup(vol, 'offsite');
    expect(made.status, String(made.fail_reason)).to.equal('available');
    expect(made.container).to.equal('offsite');
    expect((made.copies as Copy[]).map((c) => [c.repository, c.status])).to.deep.equal([['offsite', 'available'], ['cloud', 'available']]);
    // The worker created the SFTP repository (a directory of this machine's sshd) with SFTP's 8 MiB packs.
    const offsiteConfig = JSON.parse(await readFile(path.join(repositories[1].path as string, 'config', 'config'), 'utf8')) as Json;
    expect(offsiteConfig.packSizeBytes).to.equal(8 * MIB);

    await sftpRelay.down();
    try {
      const res = await api.request<{ restore: { volume_id: string } }>('POST', `/backups/${made.id as string}/restore`, { restore: { volume_id: null } });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      // The new volume is briefly `available` before the restore takes it: wait for the backup first.
      const after = await api.waitForBackup(made.id as string, ['available'], 180_000);
      expect(after.fail_reason, String(after.fail_reason)).to.equal(null);
      const restored = await api.waitForVolume(res.body.restore.volume_id, ['available', 'error', 'error_restoring'], 180_000);
      expect(restored.status, JSON.stringify(restored)).to.equal('available');
      expect(await digest(volumeFile(res.body.restore.volume_id))).to.equal(want);

      const verify = await api.request('POST', `/backups/${made.id as string}/action`, { 'os-verify': null });
      expect(verify.status, JSON.stringify(verify.body)).to.equal(202);
      const deadline = Date.now() + 120_000;
      let shown: Json;
      do {
        await new Promise((r) => setTimeout(r, 300));
        shown = (await api.request<{ backup: Json }>('GET', `/backups/${made.id as string}`)).body.backup;
      } while (shown.verify_status === 'verifying' && Date.now() < deadline);
      expect(shown.verify_status, String(shown.verify_result)).to.equal('ok');
      expect(String(shown.verify_result)).to.match(/cloud/);

      // The heartbeat's re-check shows the unreachable server in the repositories' states.
      let offsite = (await repositoryStates()).offsite;
      while (offsite.state !== 'unavailable' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        offsite = (await repositoryStates()).offsite;
      }
      expect(offsite.state).to.equal('unavailable');
      expect(String(offsite.detail)).to.match(/offsite \(sftp .*ECONNREFUSED/);

      // floe-agent on the S3 copy: its backup is listed, and nothing (no SDK warning) goes to stderr.
      const listed = await agent('list', '--repository', 'cloud', '--json');
      expect((JSON.parse(listed.stdout) as Json[]).map((b) => b.backupId)).to.include(made.id);
      expect(listed.stderr).to.equal('');
    } finally {
      await sftpRelay.up();
    }
  });

  it('a repository lost mid-backup is retried, then the backup is error naming it with nothing complete left; the next backup succeeds and prune cleans up', async () => {
    const vol = await volumeWith([[0, randomBytes(24 * MIB)]]);
    const id = await startBackup(vol, 'flaky');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const shown = (await api.request<{ backup: Json }>('GET', `/backups/${id}`)).body.backup;
      if (Number(shown.progress) >= 10 || shown.status !== 'creating') break;
      if (Date.now() > deadline) throw new Error('the backup never made progress');
      await new Promise((r) => setTimeout(r, 100));
    }
    await faultRelay.down();
    const failed = await api.waitForBackup(id, ['available', 'error'], 180_000);
    await faultRelay.up();
    expect(failed.status).to.equal('error');
    expect(String(failed.fail_reason)).to.match(/flaky \(sftp/);
    expect((await api.waitForVolume(vol, ['available'])).status).to.equal('available');

    const listed = await agent('list', '--repository', 'flaky', '--json');
    expect((JSON.parse(listed.stdout) as Json[]).map((b) => b.backupId)).not.to.include(id);

    const next = await backup(vol, 'flaky');
    expect(next.status, String(next.fail_reason)).to.equal('available');
    const pruned = JSON.parse((await agent('prune', '--repository', 'flaky', '--json')).stdout) as Json;
    // The packs being uploaded when the server went away are left as temporary files: prune removes them.
    expect(Number(pruned.packsRemoved) + Number(pruned.temporariesRemoved), JSON.stringify(pruned)).to.be.greaterThan(0);
    const restoredList = JSON.parse((await agent('list', '--repository', 'flaky', '--json')).stdout) as Json[];
    expect(restoredList.map((b) => b.backupId)).to.deep.equal([next.id]);
  });

  it('a wrong S3 secret and a changed SSH host key fail the backup with a clear reason naming the repository, and no secret', async () => {
    const vol = await volumeWith([[0, randomBytes(MIB)]]);
    const s3 = await backup(vol, 'bad-secret');
    expect(s3.status).to.equal('error');
    expect(String(s3.fail_reason)).to.match(/bad-secret/).and.to.match(/refused access|403/i);
    expect(String(s3.fail_reason)).not.to.include(WRONG_SECRET);
    const ssh = await backup(vol, 'bad-hostkey');
    expect(ssh.status).to.equal('error');
    expect(String(ssh.fail_reason)).to.match(/bad-hostkey/).and.to.match(/host key/i);
    expect((await api.waitForVolume(vol, ['available'])).status).to.equal('available');
  });

  it('refuses a container that is not a configured repository, writing nothing', async () => {
    const vol = await volumeWith([]);
    const res = await api.request('POST', '/backups', { backup: { volume_id: vol, container: 'nowhere' } });
    expect(res.status).to.equal(400);
    expect(JSON.stringify(res.body)).to.match(/nowhere/);
    const list = await api.request<{ backups: Json[] }>('GET', '/backups');
    expect(list.body.backups.filter((b) => b.volume_id === vol)).to.have.length(0);
  });
});
