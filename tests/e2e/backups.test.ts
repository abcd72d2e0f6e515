import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { execFile } from 'node:child_process';
import { access, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TestApi } from '../support/api-client.js';
import { cinder, startStack, waitForBackupService, type Stack } from '../support/stack.js';
import type { TcpRelay } from '../support/tcp-relay.js';
import { relayToTestDatabase } from '../support/env.js';

const exec = promisify(execFile);
const FLOE_AGENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/floe-agent.js');

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const BACKEND = 'only';

/** Volumes, backups and restores through the real processes (API, scheduler, volume and backup workers). */
describe('e2e: volume backups', function () {
  this.timeout(300_000);
  let stack: Stack;
  let api: TestApi;
  /** Between the scheduler and workers and PostgreSQL, for the tests of a lost database. */
  let databaseRelay: TcpRelay;

  before(async () => {
    databaseRelay = (await relayToTestDatabase()).relay;
    stack = await startStack({ backends: [{ name: BACKEND, capacityGb: 50 }], backup: true, workerDatabasePort: databaseRelay.port });
    api = new TestApi(stack.apiUrl, 'demo', 'demo');
  });
  after(async () => {
    await stack?.stop();
    await databaseRelay?.down();
  });

  function volumeFile(id: string): string {
    return path.join(stack.dataDir, 'volumes', BACKEND, `volume-${id}.img`);
  }

  async function createVolume(sizeGb: number, name: string): Promise<string> {
    const res = await api.request<{ volume: { id: string } }>('POST', '/volumes', { volume: { size: sizeGb, name } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    await api.waitForVolume(res.body.volume.id, ['available']);
    return res.body.volume.id;
  }

  /** Writes `data` at each offset into the volume's file (the rest stays a hole). */
  async function writeAt(volumeId: string, pieces: readonly [number, Buffer][]): Promise<void> {
    const fh = await open(volumeFile(volumeId), 'r+');
    try {
      for (const [offset, data] of pieces) await fh.write(data, 0, data.length, offset);
    } finally {
      await fh.close();
    }
  }

  async function digest(file: string, length: number): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file, { start: 0, end: length - 1 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async function createBackup(volumeId: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const res = await api.request<{ backup: { id: string } }>('POST', '/backups', { backup: { volume_id: volumeId, ...extra } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return api.waitForBackup(res.body.backup.id, ['available', 'error']);
  }

  async function restore(backupId: string, volumeId: string | null): Promise<string> {
    const res = await api.request<{ restore: { volume_id: string } }>('POST', `/backups/${backupId}/restore`, { restore: { volume_id: volumeId } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const volume = await api.waitForVolume(res.body.restore.volume_id, ['available', 'error', 'error_restoring'], 120_000);
    expect(volume.status, JSON.stringify(volume)).to.equal('available');
    const backup = await api.waitForBackup(backupId, ['available']);
    expect(backup.fail_reason).to.equal(null);
    return res.body.restore.volume_id;
  }

  /** A new volume with 512 MiB of random data and the backup of it, just asked for (it runs for seconds). */
  async function startLongBackup(volumeName: string, backupName: string): Promise<{ vol: string; id: string }> {
    const vol = await createVolume(1, volumeName);
    for (let i = 0; i < 4; i += 1) await writeAt(vol, [[i * 128 * MIB, randomBytes(128 * MIB)]]);
    const res = await api.request<{ backup: { id: string } }>('POST', '/backups', { backup: { volume_id: vol, name: backupName } });
    expect(res.status).to.equal(202);
    return { vol, id: res.body.backup.id };
  }

  /** Runs `during` with the scheduler and workers cut off from PostgreSQL (the API still reaches it). */
  async function withDatabaseCut<T>(during: () => Promise<T>): Promise<T> {
    await databaseRelay.down();
    try {
      return await during();
    } finally {
      await databaseRelay.up();
    }
  }

  /** The backup ends `available` and its volume is `available` again. */
  async function expectBackedUp(id: string, volumeId: string): Promise<void> {
    const done = await api.waitForBackup(id, ['available', 'error']);
    expect(done.status, String(done.fail_reason)).to.equal('available');
    expect((await api.waitForVolume(volumeId, ['available', 'backing-up'])).status).to.equal('available');
  }

  /** os-verify, then the backup once its verify_status is no longer `verifying`. */
  async function verify(backupId: string): Promise<Record<string, unknown>> {
    const res = await api.request('POST', `/backups/${backupId}/action`, { 'os-verify': null });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const shown = (await api.request<{ backup: Record<string, unknown> }>('GET', `/backups/${backupId}`)).body.backup;
      if (shown.verify_status !== 'verifying' || Date.now() > deadline) return shown;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('backs up data with holes and an unaligned tail, incrementally, restores to new and existing volumes, survives deleting a middle backup', async () => {
    const vol = await createVolume(1, 'bk-source');
    await writeAt(vol, [[0, randomBytes(3 * MIB)], [100 * MIB + 123, randomBytes(MIB)], [GIB - 4097, randomBytes(4097)]]);
    const hash1 = await digest(volumeFile(vol), GIB);
    const b1 = await createBackup(vol, { name: 'full' });
    expect(b1.status, String(b1.fail_reason)).to.equal('available');
    expect(b1).to.include({ size: 1, is_incremental: false, has_dependent_backups: false, container: 'default', progress: 100 });
    expect(b1.object_count).to.be.greaterThan(0);
    expect((await api.waitForVolume(vol, ['available'])).status).to.equal('available');

    await writeAt(vol, [[50 * MIB, randomBytes(64 * 1024)]]);
    const hash2 = await digest(volumeFile(vol), GIB);
    const b2 = await createBackup(vol, { incremental: true });
    expect(b2).to.include({ status: 'available', is_incremental: true });
    await writeAt(vol, [[700 * MIB, randomBytes(MIB)]]);
    const hash3 = await digest(volumeFile(vol), GIB);
    const b3 = await createBackup(vol, { incremental: true });
    expect(b3.status).to.equal('available');

    expect((await api.request('DELETE', `/backups/${String(b2.id)}`)).status).to.equal(202);
    await api.waitForBackup(String(b2.id), ['deleted']);

    const fresh = await restore(String(b1.id), null);
    expect(await digest(volumeFile(fresh), GIB)).to.equal(hash1);
    const existing = await createVolume(1, 'bk-target');
    expect(await restore(String(b3.id), existing)).to.equal(existing);
    expect(await digest(volumeFile(existing), GIB)).to.equal(hash3);
    expect(hash2).to.not.equal(hash3);
  });

  it('verifies a backup on request (os-verify) and keeps the outcome on it', async () => {
    const vol = await createVolume(1, 'bk-verify');
    await writeAt(vol, [[0, randomBytes(2 * MIB)]]);
    const backup = await createBackup(vol);
    const shown = await verify(String(backup.id));
    expect(shown.verify_status, String(shown.verify_result)).to.equal('ok');
    expect(shown.verify_result).to.match(/chunks checked, no errors/);
  });

  it('the official cinder CLI creates, lists, shows, restores (new and existing volume) and deletes backups', async () => {
    const run = async (...args: string[]): Promise<string> => {
      const res = await cinder(stack, args);
      expect(res.code, `cinder ${args.join(' ')}\n${res.stdout}\n${res.stderr}`).to.equal(0);
      return res.stdout;
    };
    const idOf = (out: string) => /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(out)?.[1] as string;
    const vol = await createVolume(1, 'cli-bk-vol');
    await writeAt(vol, [[0, randomBytes(MIB)]]);
    const full = idOf(await run('backup-create', '--name', 'cli-full', vol));
    await api.waitForBackup(full, ['available']);
    const incr = idOf(await run('backup-create', '--incremental', '--name', 'cli-incr', vol));
    expect((await api.waitForBackup(incr, ['available', 'error'])).status).to.equal('available');
    const list = await run('backup-list');
    expect(list).to.match(/cli-full/).and.to.match(/cli-incr/);
    const show = await run('backup-show', 'cli-incr');
    expect(show).to.match(/\|\s+is_incremental\s+\|\s+True\s+\|/);
    expect(show).to.match(/\|\s+status\s+\|\s+available\s+\|/);

    const restoredNew = /\|\s+volume_id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(await run('backup-restore', full))?.[1] as string;
    expect((await api.waitForVolume(restoredNew, ['available', 'error_restoring'], 120_000)).status).to.equal('available');
    await api.waitForBackup(full, ['available']);
    const target = await createVolume(1, 'cli-bk-target');
    await run('backup-restore', '--volume', target, incr);
    await api.waitForBackup(incr, ['available']);
    expect((await api.waitForVolume(target, ['available', 'error_restoring'], 120_000)).status).to.equal('available');
    expect(await digest(volumeFile(target), GIB)).to.equal(await digest(volumeFile(vol), GIB));

    expect(await run('backup-delete', 'cli-full')).to.match(/has been accepted/);
    await api.waitForBackup(full, ['deleted']);
    expect(await run('backup-list')).to.not.match(/cli-full/);
  });

  it('a backup worker killed mid-backup: after restart the backup is error with a reason, the volume available, the next backup succeeds, prune removes what it left', async () => {
    const packsBefore = await packFiles(stack.dataDir);
    const { vol, id } = await startLongBackup('bk-crash', 'doomed');
    await waitForProgress(api, id);
    await waitForNewPack(stack.dataDir, packsBefore);
    await stack.kill('backup', 'SIGKILL');
    await stack.start('backup');
    const failed = await api.waitForBackup(id, ['error', 'available']);
    expect(failed.status).to.equal('error');
    expect(failed.fail_reason).to.match(/backup worker stopped while the backup was running/);
    expect((await api.waitForVolume(vol, ['available', 'backing-up'])).status).to.equal('available');
    const leftByFailed = [...await packFiles(stack.dataDir)].filter((p) => !packsBefore.has(p));
    expect(leftByFailed, 'packs written by the killed backup').to.have.length.greaterThan(0);
    expect((await agent(stack, 'list', '--json')).stdout).to.not.include(id);
    const next = await createBackup(vol, { name: 'after-crash' });
    expect(next.status, String(next.fail_reason)).to.equal('available');

    const report = JSON.parse((await agent(stack, 'prune', '--json')).stdout) as { packsRemoved: number; bytesFreed: number };
    expect(report.packsRemoved).to.be.at.least(leftByFailed.length);
    expect(report.bytesFreed).to.be.greaterThan(0);
    const packsAfter = await packFiles(stack.dataDir);
    expect(leftByFailed.filter((p) => packsAfter.has(p)), 'packs of the killed backup left after prune').to.deep.equal([]);
    const listed = JSON.parse((await agent(stack, 'list', '--json')).stdout) as { backupId: string }[];
    const available = (await api.request<{ backups: { id: string; status: string }[] }>('GET', '/backups/detail')).body.backups
      .filter((b) => b.status === 'available').map((b) => b.id);
    expect(listed.map((b) => b.backupId).sort()).to.deep.equal([...available].sort());
    for (const backupId of available) expect((await verify(backupId)).verify_status, backupId).to.equal('ok');
    expect(await digest(volumeFile(await restore(String(next.id), null)), GIB)).to.equal(await digest(volumeFile(vol), GIB));
  });

  it('a backup worker stopped (SIGTERM) mid-backup records the backup as failed by the stop, the volume back to available', async () => {
    const { vol, id } = await startLongBackup('bk-stop', 'stopped');
    await waitForProgress(api, id);
    await stack.kill('backup', 'SIGTERM');
    try {
      const stopped = (await api.request<{ backup: Record<string, unknown> }>('GET', `/backups/${id}`)).body.backup;
      expect([stopped.status, stopped.fail_reason]).to.deep.equal(['error', 'The backup worker is stopping.']);
      expect((await api.waitForVolume(vol, ['available', 'backing-up'])).status).to.equal('available');
    } finally {
      await stack.start('backup');
      await waitForBackupService(stack.apiUrl);
    }
  });

  it('a backup that ends while its worker cannot reach the database is recorded once the database is back', async () => {
    const { vol, id } = await startLongBackup('db-lost', 'db-lost');
    await waitForProgress(api, id);
    await withDatabaseCut(async () => {
      // The manifest is written last: the data is all stored, and the worker is trying to record it.
      await waitForFile(path.join(stack.dataDir, 'backups', 'manifests', id));
      await new Promise((r) => setTimeout(r, 1_500));
    });
    await expectBackedUp(id, vol);
    expect((await verify(id)).verify_status).to.equal('ok');
  });

  it('a backup asked for while its worker cannot reach the database runs once the database is back', async () => {
    const vol = await createVolume(1, 'db-down');
    await writeAt(vol, [[0, randomBytes(MIB)]]);
    const id = await withDatabaseCut(async () => {
      const res = await api.request<{ backup: { id: string } }>('POST', '/backups', { backup: { volume_id: vol, name: 'db-down' } });
      expect(res.status).to.equal(202);
      // Longer than the RPC layer's redeliveries take to dead-letter a failing request (about a second).
      await new Promise((r) => setTimeout(r, 4_000));
      return res.body.backup.id;
    });
    await expectBackedUp(id, vol);
  });

  it('a backup worker killed mid-restore: after restart the backup is available with a reason, the volume error_restoring, and the backup restores again', async () => {
    const vol = await createVolume(1, 'rs-crash');
    for (let i = 0; i < 2; i += 1) await writeAt(vol, [[i * 300 * MIB, randomBytes(128 * MIB)]]);
    const hash = await digest(volumeFile(vol), GIB);
    const backup = await createBackup(vol, { name: 'restore-victim' });
    expect(backup.status, String(backup.fail_reason)).to.equal('available');
    const id = String(backup.id);

    const res = await api.request<{ restore: { volume_id: string } }>('POST', `/backups/${id}/restore`, { restore: { volume_id: null } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const target = res.body.restore.volume_id;
    await waitForRestoreRunning(api, id, target);
    await stack.kill('backup', 'SIGKILL');
    await stack.start('backup');
    await waitForBackupService(stack.apiUrl);

    const after = await api.waitForBackup(id, ['available', 'error']);
    expect(after.status).to.equal('available');
    expect(after.fail_reason).to.match(/backup worker stopped while the restore was running/);
    const broken = await api.waitForVolume(target, ['error_restoring', 'available']);
    expect(broken.status, JSON.stringify(broken)).to.equal('error_restoring');
    expect((await api.waitForVolume(vol, ['available'])).status).to.equal('available');
    const transitional = (await api.request<{ backups: { status: string }[] }>('GET', '/backups/detail')).body.backups
      .filter((b) => !['available', 'error'].includes(b.status));
    expect(transitional).to.deep.equal([]);
    const busyVolumes = (await api.request<{ volumes: { id: string; status: string }[] }>('GET', '/volumes/detail')).body.volumes
      .filter((v) => ['creating', 'backing-up', 'restoring-backup'].includes(v.status));
    expect(busyVolumes).to.deep.equal([]);

    const again = await restore(id, null);
    expect(again).to.not.equal(target);
    expect(await digest(volumeFile(again), GIB)).to.equal(hash);
  });
});

/** Until the backup worker runs the restore: the volume is `restoring-backup` and bytes are recorded. */
async function waitForRestoreRunning(api: TestApi, backupId: string, volumeId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const backup = (await api.request<{ backup: { status: string; progress_bytes: { done: number } } }>('GET', `/backups/${backupId}`)).body.backup;
    const volume = (await api.request<{ volume: { status: string } }>('GET', `/volumes/${volumeId}`)).body.volume;
    if (volume.status === 'restoring-backup' && backup.status === 'restoring' && backup.progress_bytes.done > 0) return;
    const waiting = ['creating', 'available', 'restoring-backup'].includes(volume.status) && backup.status === 'restoring';
    if (!waiting || Date.now() > deadline) throw new Error(`restore of ${backupId} never seen running (backup ${backup.status}, volume ${volume.status})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pack files of the stack's repository (`<dataDir>/backups/packs/<xx>/<name>`, not temporary files), relative paths. */
async function packFiles(dataDir: string): Promise<Set<string>> {
  const root = path.join(dataDir, 'backups', 'packs');
  try {
    return new Set(await readdir(root, { recursive: true, withFileTypes: true }).then((entries) =>
      entries.filter((e) => e.isFile() && !e.name.startsWith('.tmp-')).map((e) => path.relative(root, path.join(e.parentPath, e.name)))));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw err;
  }
}

/** Until the running backup has stored a pack (so the kill leaves data that only prune reclaims). */
async function waitForNewPack(dataDir: string, before: ReadonlySet<string>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ([...await packFiles(dataDir)].every((p) => before.has(p))) {
    if (Date.now() > deadline) throw new Error('the backup stored no pack within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await access(file).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the operator's `floe-agent` against the stack's repository with its generated key file. */
async function agent(stack: Stack, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const [command, ...rest] = args;
  const repo = ['--repo', path.join(stack.dataDir, 'backups'), '--key-file', path.join(stack.dataDir, 'backup.key')];
  return exec(process.execPath, [FLOE_AGENT, command, ...repo, ...rest], { timeout: 120_000 });
}

/** Until the backup worker has recorded the first bytes of the backup (it is reading the volume). */
async function waitForProgress(api: TestApi, id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const backup = (await api.request<{ backup: { status: string; progress_bytes: { total: number } } }>('GET', `/backups/${id}`)).body.backup;
    if (backup.status === 'creating' && backup.progress_bytes.total > 0) return;
    if (backup.status !== 'creating' || Date.now() > deadline) throw new Error(`backup ${id} is ${backup.status}, never seen running`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
