import { expect } from 'chai';
import { sql } from 'kysely';
import type { RepositoryState } from '../../../common/db/schema.js';
import { testConfig } from '../../support/env.js';
import { ApiClient, startTestApi, type Json, type TestApi } from './harness.js';
import { repositoryFixture, type RepositoryFixture } from './repository-fixture.js';

/** Floe's `GET /backup-repositories[/{name}]`: configured repositories, their state, nothing secret. */
describe('API backup repositories', () => {
  let repos: RepositoryFixture;
  let api: TestApi;
  const FIELDS = ['checked_at', 'default', 'detail', 'name', 'replicate_to', 'state', 'type'];

  before(async () => {
    repos = repositoryFixture();
    api = await startTestApi(repos.env);
  });
  after(async () => {
    const names = [repos.primary, repos.offsite, repos.tape, repos.restricted, repos.cloud];
    await api.db.deleteFrom('backup_repositories').where('name', 'in', names).execute();
    await api.stop();
    repos.remove();
  });

  /** What a backup worker records; `ageS` seconds ago by the database clock. */
  async function report(name: string, state: RepositoryState, detail: string | null, ageS = 0): Promise<void> {
    const checkedAt = sql<Date>`now() - make_interval(secs => ${ageS})`;
    await api.db
      .insertInto('backup_repositories')
      .values({ name, type: 'local', state, detail, host: 'node-test', checked_at: checkedAt })
      .onConflict((oc) => oc.column('name').doUpdateSet({ state, detail, checked_at: checkedAt }))
      .execute();
  }

  function byName(list: Json[]): Map<string, Json> {
    return new Map(list.map((r) => [r.name, r]));
  }

  it('lists the repositories the project may use, in configuration order, with type, default and replication', async () => {
    const res = await api.client.get('/backup-repositories');
    expect(res.status).to.equal(200);
    const list: Json[] = res.body.backup_repositories;
    expect(list.map((r) => r.name)).to.deep.equal([repos.primary, repos.offsite, repos.tape, repos.cloud]);
    for (const r of list) expect(Object.keys(r).sort()).to.deep.equal(FIELDS);
    expect(list[0]).to.deep.include({ type: 'local', default: true, replicate_to: [repos.tape, repos.offsite] });
    expect(list.slice(1).map((r) => r.default)).to.deep.equal([false, false, false]);
    expect(byName(list).get(repos.cloud)).to.deep.include({ type: 's3', replicate_to: [] });
  });

  it('says unknown without a report, the reported state when fresh, unknown again when stale', async () => {
    await report(repos.offsite, 'available', null);
    await report(repos.tape, 'unavailable', 'cannot write to the repository directory (EACCES)');
    const staleSeconds = testConfig(repos.env).serviceDownTimeMs / 1000 + 30;
    await report(repos.cloud, 'available', null, staleSeconds);
    const list = byName((await api.client.get('/backup-repositories')).body.backup_repositories);
    expect(list.get(repos.primary)).to.deep.include({ state: 'unknown', detail: null, checked_at: null });
    expect(list.get(repos.offsite)).to.deep.include({ state: 'available', detail: null });
    expect(list.get(repos.offsite).checked_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(list.get(repos.tape)).to.deep.include({ state: 'unavailable', detail: 'cannot write to the repository directory (EACCES)' });
    expect(list.get(repos.cloud).state).to.equal('unknown');
    expect(list.get(repos.cloud).checked_at).to.be.a('string');
    await report(repos.cloud, 'available', null);
    expect((await api.client.get(`/backup-repositories/${repos.cloud}`)).body.backup_repository.state).to.equal('available');
  });

  it('never shows a location, a credential or a reference to one', async () => {
    const answers = [
      await api.client.get('/backup-repositories'),
      ...(await Promise.all([repos.primary, repos.cloud].map((name) => api.client.get(`/backup-repositories/${name}`)))),
    ];
    for (const answer of answers) {
      const text = JSON.stringify(answer.body);
      for (const secret of repos.secrets) expect(text).to.not.contain(secret);
      expect(text).to.not.match(/password|secret|accessKey|path|bucket|encryption/i);
    }
  });

  it('shows one repository by name, and 404 for an unknown one or one of another project', async () => {
    const one = await api.client.get(`/backup-repositories/${repos.offsite}`);
    expect(one.status).to.equal(200);
    expect(Object.keys(one.body.backup_repository).sort()).to.deep.equal(FIELDS);
    expect(one.body.backup_repository).to.deep.include({ name: repos.offsite, type: 'local', default: false });
    for (const name of ['nowhere', repos.restricted]) {
      const res = await api.client.get(`/backup-repositories/${name}`);
      expect(res.status).to.equal(404);
      expect(res.body.itemNotFound.message).to.equal(`Backup repository ${name} could not be found.`);
    }
  });

  it('shows a restricted repository to its own project, also through the project-less URL', async () => {
    const owner = api.clientFor('u3', repos.owner);
    const names = (await owner.get('/backup-repositories')).body.backup_repositories.map((r: Json) => r.name);
    expect(names).to.deep.equal([repos.primary, repos.offsite, repos.tape, repos.restricted, repos.cloud]);
    expect((await owner.get(`/backup-repositories/${repos.restricted}`)).status).to.equal(200);
    const projectless = new ApiClient(`${api.url}/v3`, `u3:${repos.owner}`, '3.70');
    expect((await projectless.get(`/backup-repositories/${repos.restricted}`)).body.backup_repository.name).to.equal(repos.restricted);
    expect((await projectless.get('/backup-repositories')).body.backup_repositories).to.have.length(5);
  });
});
