import { expect } from 'chai';
import { transitionBackup } from '../../../common/status.js';
import { cleanup, makeAvailable, startTestApi, type ApiClient, type Json, type TestApi } from './harness.js';
import { repositoryFixture, type RepositoryFixture } from './repository-fixture.js';

/** Named repositories and replication through the backups API: `container`, copies, and what needs a complete copy. */
describe('API backups: repositories and copies', () => {
  let repos: RepositoryFixture;
  let api: TestApi;
  const host = 'node9@file-small#file-small';

  before(async () => {
    repos = repositoryFixture();
    api = await startTestApi(repos.env);
  });
  after(async () => {
    await api.db.deleteFrom('backups').where('project_id', 'in', [api.project, repos.owner]).execute();
    await cleanup(api.db, [api.project, repos.owner]);
    await api.stop();
    repos.remove();
  });

  async function availableVolume(client: ApiClient = api.client): Promise<string> {
    const res = await client.post('/volumes', { volume: { size: 1 } });
    await makeAvailable(api.db, res.body.volume.id, host);
    return res.body.volume.id;
  }

  function createBody(volumeId: string, container: string | null = null) {
    return { backup: { volume_id: volumeId, container, name: null, description: null, incremental: false, force: false, snapshot_id: null } };
  }

  async function copyRows(backupId: string) {
    return api.db.selectFrom('backup_copies').select(['repository', 'status', 'fail_reason']).where('backup_id', '=', backupId).orderBy('repository').execute();
  }

  async function setCopy(backupId: string, repository: string, status: 'available' | 'error', failReason: string | null = null) {
    await api.db.updateTable('backup_copies').set({ status, fail_reason: failReason }).where('backup_id', '=', backupId).where('repository', '=', repository).execute();
  }

  /** A backup to the default repository, `available` as a worker leaves it, its copies still `creating`. */
  async function backupWithCopies(): Promise<string> {
    const volumeId = await availableVolume();
    const res = await api.client.post('/backups', createBody(volumeId));
    await transitionBackup(api.db, res.body.backup.id, 'created');
    await api.db.updateTable('volumes').set({ status: 'available', previous_status: null }).where('id', '=', volumeId).execute();
    return res.body.backup.id;
  }

  it('backs up to the default repository without a container, with a copy in each it replicates to', async () => {
    const volumeId = await availableVolume();
    const res = await api.client.post('/backups', createBody(volumeId));
    expect(res.status).to.equal(202);
    const id = res.body.backup.id;
    const row = await api.db.selectFrom('backups').select('container').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.container).to.equal(repos.primary);
    const expected = [repos.offsite, repos.primary, repos.tape].map((repository) => ({ repository, status: 'creating', fail_reason: null }));
    expect(await copyRows(id)).to.deep.equal(expected);
    expect(api.outbox.casts.filter((c) => c.args?.backupId === id).map((c) => c.method)).to.deep.equal(['createBackup']);
  });

  it('backs up to the repository `container` names, one copy when it replicates nowhere', async () => {
    const volumeId = await availableVolume();
    const res = await api.client.post('/backups', createBody(volumeId, repos.offsite));
    expect(res.status).to.equal(202);
    const shown = await api.client.get(`/backups/${res.body.backup.id}`);
    expect(shown.body.backup.container).to.equal(repos.offsite);
    expect(shown.body.backup.copies).to.deep.equal([{ repository: repos.offsite, status: 'creating', fail_reason: null }]);
  });

  it('refuses an unknown repository and one of another project alike (400), writing nothing', async () => {
    const volumeId = await availableVolume();
    const casts = api.outbox.casts.length;
    for (const name of ['nowhere', repos.restricted]) {
      const res = await api.client.post('/backups', createBody(volumeId, name));
      expect(res.status).to.equal(400);
      expect(res.body.badRequest.message).to.equal(`Invalid input received: backup repository '${name}' does not exist`);
    }
    const rows = await api.db.selectFrom('backups').select('id').where('volume_id', '=', volumeId).execute();
    expect(rows).to.deep.equal([]);
    const volume = await api.db.selectFrom('volumes').select('status').where('id', '=', volumeId).executeTakeFirstOrThrow();
    expect(volume.status).to.equal('available');
    expect(api.outbox.casts.length).to.equal(casts);
  });

  it('lets the project a repository is restricted to back up to it', async () => {
    const owner = api.clientFor('u7', repos.owner);
    const res = await owner.post('/backups', createBody(await availableVolume(owner), repos.restricted));
    expect(res.status).to.equal(202);
    expect(await copyRows(res.body.backup.id)).to.deep.equal([{ repository: repos.restricted, status: 'creating', fail_reason: null }]);
  });

  it('shows the copies, the backup repository first then by name, in show and in the detail list (not in the summary)', async () => {
    const first = await backupWithCopies();
    const second = await backupWithCopies();
    await setCopy(first, repos.primary, 'available');
    await setCopy(first, repos.offsite, 'error', 'disk full');
    const view = (repository: string, status: string, failReason: string | null = null) => ({ repository, status, fail_reason: failReason });
    const expectedFirst = [view(repos.primary, 'available'), view(repos.offsite, 'error', 'disk full'), view(repos.tape, 'creating')];
    expect((await api.client.get(`/backups/${first}`)).body.backup.copies).to.deep.equal(expectedFirst);
    const detail = await api.client.get('/backups/detail?limit=2');
    const byId = new Map<string, Json>(detail.body.backups.map((b: Json) => [b.id, b.copies]));
    expect(byId.get(first)).to.deep.equal(expectedFirst);
    expect(byId.get(second)).to.deep.equal([view(repos.primary, 'creating'), view(repos.offsite, 'creating'), view(repos.tape, 'creating')]);
    const summary = await api.client.get('/backups?limit=2');
    expect(summary.body.backups.every((b: Json) => !('copies' in b))).to.equal(true);
  });

  it('refuses a restore until some copy is complete, then restores', async () => {
    const id = await backupWithCopies();
    await setCopy(id, repos.primary, 'error', 'lost');
    const refused = await api.client.post(`/backups/${id}/restore`, { restore: { volume_id: null, name: null } });
    expect(refused.status).to.equal(400);
    expect(refused.body.badRequest.message).to.equal(`Invalid input received: backup ${id} has no complete copy`);
    const backup = await api.db.selectFrom('backups').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(backup.status).to.equal('available');
    await setCopy(id, repos.tape, 'available');
    expect((await api.client.post(`/backups/${id}/restore`, { restore: { volume_id: null, name: null } })).status).to.equal(202);
  });

  it('refuses os-verify until some copy is complete, leaving the backup as it was', async () => {
    const id = await backupWithCopies();
    const refused = await api.client.post(`/backups/${id}/action`, { 'os-verify': null });
    expect(refused.status).to.equal(400);
    expect(refused.body.badRequest.message).to.match(/has no complete copy/);
    expect((await api.client.get(`/backups/${id}`)).body.backup.verify_status).to.equal(null);
    expect(api.outbox.casts.filter((c) => c.args?.backupId === id && c.method === 'verifyBackup')).to.deep.equal([]);
    await setCopy(id, repos.offsite, 'available');
    expect((await api.client.post(`/backups/${id}/action`, { 'os-verify': null })).status).to.equal(202);
    expect((await api.client.get(`/backups/${id}`)).body.backup.verify_status).to.equal('verifying');
  });
});
