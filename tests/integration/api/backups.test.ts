import { expect } from 'chai';
import { transitionBackup } from '../../../common/status.js';
import { BACKUP_RPC_VERSION, BACKUP_TOPIC } from '../../../rpc/backup-api.js';
import { cleanup, makeAvailable, startTestApi, uniqueName, type TestApi } from './harness.js';

/** The backups API against the real database; casts are recorded (the workers are tested end to end). */
describe('API backups', () => {
  let api: TestApi;
  let otherProject: string;
  const host = 'node8@file-small#file-small';

  before(async () => {
    api = await startTestApi();
    otherProject = uniqueName('other');
  });
  after(async () => {
    await api.db.deleteFrom('backups').where('project_id', 'in', [api.project, otherProject]).execute();
    await cleanup(api.db, [api.project, otherProject]);
    await api.stop();
  });

  async function availableVolume(size = 1): Promise<string> {
    const res = await api.client.post('/volumes', { volume: { size } });
    await makeAvailable(api.db, res.body.volume.id, host);
    return res.body.volume.id;
  }

  async function volumeStatus(id: string): Promise<{ status: string; previous_status: string | null }> {
    return api.db.selectFrom('volumes').select(['status', 'previous_status']).where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** What the cinder CLI sends for `backup-create`. */
  function createBody(volumeId: string, extra: Record<string, unknown> = {}) {
    return { backup: { volume_id: volumeId, container: null, name: null, description: null, incremental: false, force: false, snapshot_id: null, ...extra } };
  }

  /** A backup of a fresh volume, made available (with its copy) as a worker would, the volume released. */
  async function availableBackup(size = 1): Promise<{ backupId: string; volumeId: string }> {
    const volumeId = await availableVolume(size);
    const res = await api.client.post('/backups', createBody(volumeId));
    await transitionBackup(api.db, res.body.backup.id, 'created');
    await api.db.updateTable('backup_copies').set({ status: 'available' }).where('backup_id', '=', res.body.backup.id).execute();
    await api.db.updateTable('volumes').set({ status: 'available', previous_status: null }).where('id', '=', volumeId).execute();
    return { backupId: res.body.backup.id, volumeId };
  }

  it('creates a backup: 202 with the summary, the volume backing-up, one createBackup cast', async () => {
    const volumeId = await availableVolume(2);
    const res = await api.client.post('/backups', createBody(volumeId, { name: 'b1' }));
    expect(res.status).to.equal(202);
    expect(Object.keys(res.body.backup).sort()).to.deep.equal(['id', 'links', 'name']);
    expect(await volumeStatus(volumeId)).to.deep.equal({ status: 'backing-up', previous_status: 'available' });
    const cast = api.outbox.casts.find((c) => c.args?.backupId === res.body.backup.id);
    expect(cast).to.include({ topic: BACKUP_TOPIC, method: 'createBackup' });
    expect(cast?.options?.version).to.equal(BACKUP_RPC_VERSION);
    const shown = await api.client.get(`/backups/${res.body.backup.id}`);
    expect(shown.body.backup).to.include({
      status: 'creating', size: 2, container: 'default', is_incremental: false, has_dependent_backups: false, progress: 0,
      volume_id: volumeId, 'os-backup-project-attr:project_id': api.project, user_id: 'u1',
    });
    expect(shown.body.backup.metadata).to.deep.equal({});
    expect(shown.body.backup.copies).to.deep.equal([{ repository: 'default', status: 'creating', fail_reason: null }]);
  });

  it('refuses a second backup while the volume is backing-up (400 naming the status)', async () => {
    const volumeId = await availableVolume();
    expect((await api.client.post('/backups', createBody(volumeId))).status).to.equal(202);
    const again = await api.client.post('/backups', createBody(volumeId));
    expect(again.status).to.equal(400);
    expect(again.body.badRequest.message).to.match(/current status is "backing-up"/);
  });

  it('refuses an incremental backup without an earlier available backup, as Cinder', async () => {
    const volumeId = await availableVolume();
    const res = await api.client.post('/backups', createBody(volumeId, { incremental: true }));
    expect(res.status).to.equal(400);
    expect(res.body.badRequest.message).to.match(/No backups available to do an incremental backup/);
    expect(await volumeStatus(volumeId)).to.include({ status: 'available' });
  });

  it('accepts an incremental backup after an available one and records its parent', async () => {
    const { backupId, volumeId } = await availableBackup();
    const res = await api.client.post('/backups', createBody(volumeId, { incremental: 'True' }));
    expect(res.status).to.equal(202);
    const row = await api.db.selectFrom('backups').selectAll().where('id', '=', res.body.backup.id).executeTakeFirstOrThrow();
    expect(row).to.include({ is_incremental: true, parent_id: backupId });
  });

  it('answers 400 for a snapshot, an in-use volume (with and without force), an unknown container and bad fields', async () => {
    const volumeId = await availableVolume();
    const snapshot = await api.client.post('/backups', createBody(volumeId, { snapshot_id: volumeId }));
    expect(snapshot.body.badRequest.message).to.match(/snapshot is not supported yet/);
    const container = await api.client.post('/backups', createBody(volumeId, { container: 'elsewhere' }));
    expect(container.body.badRequest.message).to.equal("Invalid input received: backup repository 'elsewhere' does not exist");
    expect((await api.client.post('/backups', createBody('not-a-uuid'))).status).to.equal(400);
    expect((await api.client.post('/backups', createBody(volumeId, { incremental: 'maybe' }))).status).to.equal(400);
    expect((await api.client.post('/backups', { volume: {} })).status).to.equal(400);
    await api.db.updateTable('volumes').set({ status: 'in-use' }).where('id', '=', volumeId).execute();
    const inUse = await api.client.post('/backups', createBody(volumeId));
    expect(inUse.body.badRequest.message).to.match(/must use the force flag/);
    const forced = await api.client.post('/backups', createBody(volumeId, { force: true }));
    expect(forced.status).to.equal(400);
    expect(forced.body.badRequest.message).to.match(/not supported until snapshots/);
  });

  it('hides a backup and its volume from another project (404)', async () => {
    const { backupId, volumeId } = await availableBackup();
    const other = api.clientFor('u2', otherProject);
    expect((await other.get(`/backups/${backupId}`)).status).to.equal(404);
    expect((await other.delete(`/backups/${backupId}`)).status).to.equal(404);
    expect((await other.post(`/backups/${backupId}/restore`, { restore: { volume_id: null } })).status).to.equal(404);
    expect((await other.post('/backups', createBody(volumeId))).status).to.equal(404);
    expect((await other.get('/backups/detail')).body.backups).to.deep.equal([]);
  });

  it('lists with filters, count and pagination', async () => {
    const { volumeId } = await availableBackup();
    await api.db.updateTable('backups').set({ name: 'listed' }).where('volume_id', '=', volumeId).execute();
    const byVolume = await api.client.get(`/backups/detail?volume_id=${volumeId}&with_count=True`);
    expect(byVolume.body.backups.map((b: { name: string }) => b.name)).to.deep.equal(['listed']);
    expect(byVolume.body.count).to.equal(1);
    const page = await api.client.get('/backups?limit=1');
    expect(page.body.backups).to.have.length(1);
    expect(Object.keys(page.body.backups[0]).sort()).to.deep.equal(['id', 'links', 'name']);
    expect(page.body.backups_links[0].href).to.match(/marker=/);
    expect((await api.client.get('/backups/detail?status=nonsense')).body.backups).to.deep.equal([]);
  });

  it('restores into an existing volume: sizes and statuses checked, then restoring / restoring-backup and one cast', async () => {
    const { backupId } = await availableBackup(2);
    const small = await availableVolume(1);
    const tooSmall = await api.client.post(`/backups/${backupId}/restore`, { restore: { volume_id: small, name: null } });
    expect(tooSmall.body.badRequest.message).to.match(/too small/);
    const target = await availableVolume(3);
    const res = await api.client.post(`/backups/${backupId}/restore`, { restore: { volume_id: target, name: null } });
    expect(res.status).to.equal(202);
    expect(res.body.restore).to.include({ backup_id: backupId, volume_id: target });
    expect(await volumeStatus(target)).to.include({ status: 'restoring-backup' });
    const row = await api.db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirstOrThrow();
    expect(row).to.include({ status: 'restoring', restore_volume_id: target, host: null });
    const casts = api.outbox.casts.filter((c) => c.args?.backupId === backupId && c.method === 'restoreBackup');
    expect(casts.map((c) => c.args.volumeId)).to.deep.equal([target]);
    const again = await api.client.post(`/backups/${backupId}/restore`, { restore: { volume_id: null } });
    expect(again.body.badRequest.message).to.match(/must be available/);
  });

  it('restores to a new volume created through the scheduler, named after the backup', async () => {
    const { backupId } = await availableBackup(2);
    const res = await api.client.post(`/backups/${backupId}/restore`, { restore: { volume_id: null, name: null } });
    expect(res.status).to.equal(202);
    expect(res.body.restore.volume_name).to.equal(`restore_backup_${backupId}`);
    const volume = await api.db.selectFrom('volumes').selectAll().where('id', '=', res.body.restore.volume_id).executeTakeFirstOrThrow();
    expect(volume).to.include({ status: 'creating', size: 2 });
    const methods = api.outbox.casts.filter((c) => c.args?.volumeId === volume.id).map((c) => c.method);
    expect(methods).to.deep.equal(['createVolume', 'restoreBackup']);
  });

  it('deletes available backups (202), refuses others, force-deletes and resets status as admin only', async () => {
    const { backupId } = await availableBackup();
    expect((await api.client.delete(`/backups/${backupId}`)).status).to.equal(202);
    expect((await api.client.delete(`/backups/${backupId}`)).status).to.equal(400);
    expect(api.outbox.casts.filter((c) => c.args?.backupId === backupId && c.method === 'deleteBackup')).to.have.length(1);
    await api.db.updateTable('backups').set({ status: 'error_deleting' }).where('id', '=', backupId).execute();
    expect((await api.client.post(`/backups/${backupId}/action`, { 'os-force_delete': null })).status).to.equal(403);
    expect((await api.admin.post(`/backups/${backupId}/action`, { 'os-force_delete': null })).status).to.equal(202);
    expect((await api.client.post(`/backups/${backupId}/action`, { 'os-reset_status': { status: 'error' } })).status).to.equal(403);
    expect((await api.admin.post(`/backups/${backupId}/action`, { 'os-reset_status': { status: 'bogus' } })).status).to.equal(400);
    expect((await api.admin.post(`/backups/${backupId}/action`, { 'os-reset_status': { status: 'error' } })).status).to.equal(202);
    expect((await api.client.get(`/backups/${backupId}`)).body.backup.status).to.equal('error');
  });

  it('os-verify marks the backup verifying and casts verifyBackup once', async () => {
    const { backupId } = await availableBackup();
    expect((await api.client.post(`/backups/${backupId}/action`, { 'os-verify': null })).status).to.equal(202);
    expect((await api.client.get(`/backups/${backupId}`)).body.backup.verify_status).to.equal('verifying');
    const again = await api.client.post(`/backups/${backupId}/action`, { 'os-verify': {} });
    expect(again.status).to.equal(400);
    expect(api.outbox.casts.filter((c) => c.args?.backupId === backupId && c.method === 'verifyBackup')).to.have.length(1);
  });
});
