import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { TestApi } from '../support/api-client.js';
import { cinder, startStack, type Stack } from '../support/stack.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const BACKEND = 'only';

/** Volumes, backups and restores through the real processes (API, scheduler, volume and backup workers). */
describe('e2e: volume backups', function () {
  this.timeout(300_000);
  let stack: Stack;
  let api: TestApi;

  before(async () => {
    stack = await startStack({ backends: [{ name: BACKEND, capacityGb: 50 }], backup: true });
    api = new TestApi(stack.apiUrl, 'demo', 'demo');
  });
  after(async () => stack?.stop());

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
    const res = await api.request('POST', `/backups/${String(backup.id)}/action`, { 'os-verify': null });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const deadline = Date.now() + 60_000;
    let shown: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      shown = (await api.request<{ backup: Record<string, unknown> }>('GET', `/backups/${String(backup.id)}`)).body.backup;
      if (shown.verify_status !== 'verifying') break;
      await new Promise((r) => setTimeout(r, 200));
    }
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

  it('a backup worker killed mid-backup: after restart the backup is error with a reason, the volume available, the next backup succeeds', async () => {
    const vol = await createVolume(1, 'bk-crash');
    for (let i = 0; i < 4; i += 1) await writeAt(vol, [[i * 128 * MIB, randomBytes(128 * MIB)]]);
    const res = await api.request<{ backup: { id: string } }>('POST', '/backups', { backup: { volume_id: vol, name: 'doomed' } });
    expect(res.status).to.equal(202);
    const id = res.body.backup.id;
    await waitForProgress(api, id);
    await stack.kill('backup', 'SIGKILL');
    await stack.start('backup');
    const failed = await api.waitForBackup(id, ['error', 'available']);
    expect(failed.status).to.equal('error');
    expect(failed.fail_reason).to.match(/backup worker stopped while the backup was running/);
    expect((await api.waitForVolume(vol, ['available', 'backing-up'])).status).to.equal('available');
    const next = await createBackup(vol, { name: 'after-crash' });
    expect(next.status, String(next.fail_reason)).to.equal('available');
  });
});

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
