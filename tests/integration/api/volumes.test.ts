import { expect } from 'chai';
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from '../../../rpc/scheduler-api.js';
import { cleanup, createBody, countProjectVolumes, startTestApi, uniqueName, type Json, type TestApi } from './harness.js';

const TIMESTAMP_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

describe('API volumes: create, show, list, update', () => {
  let api: TestApi;
  let otherProject: string;
  let typeName: string;
  let typeId: string;

  before(async () => {
    api = await startTestApi();
    otherProject = uniqueName('other');
    typeName = uniqueName('gold');
    const type = await api.db
      .insertInto('volume_types')
      .values({ id: crypto.randomUUID(), name: typeName, description: 'test type', is_public: true, extra_specs: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    typeId = type.id;
  });
  after(async () => {
    await cleanup(api.db, [api.project, otherProject]);
    await api.db.deleteFrom('volume_types').where('id', '=', typeId).execute();
    await api.stop();
  });

  describe('create', () => {
    it('accepts the cinder CLI body, writes a creating row and casts createVolume to the scheduler', async () => {
      const kicks = api.outbox.kicks;
      const res = await api.client.post('/volumes', createBody(1, { name: 'v1', metadata: { k: 'v' } }));
      expect(res.status).to.equal(202);
      const volume = res.body.volume;
      expect(volume).to.include({ name: 'v1', size: 1, status: 'creating', volume_type: '__DEFAULT__', availability_zone: 'nova' });
      expect(volume.metadata).to.deep.equal({ k: 'v' });
      const row = await api.db.selectFrom('volumes').selectAll().where('id', '=', volume.id).executeTakeFirstOrThrow();
      expect(row).to.include({ project_id: api.project, user_id: 'u1', status: 'creating', host: null });
      const [cast] = api.outbox.castsFor(volume.id);
      expect(cast).to.deep.include({ topic: SCHEDULER_TOPIC, method: 'createVolume', args: { volumeId: volume.id } });
      expect(cast.options).to.deep.equal({ resource: { kind: 'volume', id: volume.id }, version: SCHEDULER_RPC_VERSION });
      expect(cast.context).to.include({ projectId: api.project, userId: 'u1', requestId: res.headers.get('x-openstack-request-id') });
      expect(api.outbox.kicks).to.equal(kicks + 1);
    });

    it('accepts a numeric string size, a type by name or id, a known zone and legacy display_name', async () => {
      const byName = await api.client.post('/volumes', { volume: { size: '2', volume_type: typeName, availability_zone: 'nova' } });
      expect(byName.status).to.equal(202);
      expect(byName.body.volume).to.include({ size: 2, volume_type: typeName, volume_type_id: typeId });
      const byId = await api.client.post('/volumes', { volume: { size: 1, volume_type: typeId, display_name: 'legacy' } });
      expect(byId.status).to.equal(202);
      expect(byId.body.volume).to.include({ volume_type: typeName, name: 'legacy' });
    });

    const badBodies: [string, unknown, RegExp][] = [
      ['missing volume key', { size: 1 }, /Missing required element 'volume'/],
      ['size zero', createBody(0), /size must be an integer/],
      ['negative size', createBody(-1), /size must be an integer/],
      ['fractional size', createBody(1.5), /size must be an integer/],
      ['non-numeric size string', createBody('abc'), /size must be an integer/],
      ['boolean size', createBody(true), /size must be an integer/],
      ['missing size', { volume: { name: 'x' } }, /size/],
      ['name too long', createBody(1, { name: 'n'.repeat(256) }), /name must be at most 255 characters/],
      ['description too long', createBody(1, { description: 'd'.repeat(256) }), /description must be at most 255/],
      ['name not a string', createBody(1, { name: 5 }), /name must be a string/],
      ['metadata not a map', createBody(1, { metadata: ['a'] }), /metadata must be an object/],
      ['metadata value not a string', createBody(1, { metadata: { a: 1 } }), /metadata values must be strings/],
      ['unknown zone', createBody(1, { availability_zone: 'nowhere' }), /Availability zone 'nowhere' is invalid/],
      ['unknown type', createBody(1, { volume_type: 'no-such-type' }), /Volume type no-such-type could not be found/],
      ['from a snapshot', createBody(1, { snapshot_id: crypto.randomUUID() }), /snapshot is not supported yet/],
      ['a clone', createBody(1, { source_volid: crypto.randomUUID() }), /Cloning a volume is not supported yet/],
      ['from an image', createBody(1, { imageRef: 'img' }), /image is not supported yet/],
      ['from a backup', createBody(1, { backup_id: crypto.randomUUID() }), /backup is not supported yet/],
    ];
    for (const [what, body, message] of badBodies) {
      it(`refuses ${what} with 400 and writes nothing`, async () => {
        const before = await countProjectVolumes(api.db, api.project);
        const casts = api.outbox.casts.length;
        const res = await api.client.post('/volumes', body);
        expect(res.status).to.equal(400);
        expect(res.body.badRequest.code).to.equal(400);
        expect(res.body.badRequest.message).to.match(message);
        expect(await countProjectVolumes(api.db, api.project)).to.equal(before);
        expect(api.outbox.casts.length).to.equal(casts);
      });
    }

    it('refuses malformed JSON with 400 and writes nothing', async () => {
      const before = await countProjectVolumes(api.db, api.project);
      const res = await api.client.request('POST', '/volumes', { rawBody: '{"volume": {"size": 1' });
      expect(res.status).to.equal(400);
      expect(res.body.badRequest.message).to.equal('Malformed request body');
      expect(await countProjectVolumes(api.db, api.project)).to.equal(before);
    });

    it('refuses a body over the size limit with 413 overLimit and writes nothing', async () => {
      const before = await countProjectVolumes(api.db, api.project);
      const res = await api.client.post('/volumes', createBody(1, { description: 'x'.repeat(70_000) }));
      expect(res.status).to.equal(413);
      expect(res.body.overLimit.code).to.equal(413);
      expect(res.headers.get('x-compute-request-id')).to.match(/^req-/);
      expect(await countProjectVolumes(api.db, api.project)).to.equal(before);
    });
  });

  describe('show', () => {
    let volume: Json;
    before(async () => {
      volume = (await api.client.post('/volumes', createBody(3, { name: 'shown', description: 'd' }))).body.volume;
    });

    it('returns the full view cinderclient and OSC read', async () => {
      const res = await api.client.get(`/volumes/${volume.id}`);
      expect(res.status).to.equal(200);
      const v = res.body.volume;
      expect(v).to.include({
        id: volume.id, name: 'shown', description: 'd', size: 3, status: 'creating', bootable: 'false',
        encrypted: false, multiattach: false, user_id: 'u1', 'os-vol-tenant-attr:tenant_id': api.project,
        consumes_quota: true, group_id: null, shared_targets: false,
      });
      expect(v.attachments).to.deep.equal([]);
      expect(v.metadata).to.deep.equal({});
      expect(v.created_at).to.match(TIMESTAMP_RE);
      expect(v.updated_at).to.equal(null);
      expect(v.links).to.deep.equal([
        { rel: 'self', href: `${api.url}/v3/${api.project}/volumes/${volume.id}` },
        { rel: 'bookmark', href: `${api.url}/${api.project}/volumes/${volume.id}` },
      ]);
      expect(v).to.not.have.any.keys('os-vol-host-attr:host', 'provider_id', 'cluster_name', 'migration_status');
    });

    it('gates fields by microversion', async () => {
      const old = (await api.client.get(`/volumes/${volume.id}`, { version: '3.0' })).body.volume;
      expect(old).to.not.have.any.keys('consumes_quota', 'volume_type_id', 'group_id', 'shared_targets', 'service_uuid');
      const mid = (await api.client.get(`/volumes/${volume.id}`, { version: '3.48' })).body.volume;
      expect(mid).to.include.keys('group_id', 'shared_targets', 'service_uuid');
      expect(mid).to.not.have.any.keys('consumes_quota', 'volume_type_id');
      const v363 = (await api.client.get(`/volumes/${volume.id}`, { version: '3.63' })).body.volume;
      expect(v363).to.include.keys('volume_type_id');
      expect(v363).to.not.have.key('consumes_quota');
    });

    it('shows admin-only fields to admins, at their versions', async () => {
      const v = (await api.admin.get(`/volumes/${volume.id}`)).body.volume;
      expect(v).to.include({ 'os-vol-host-attr:host': null, provider_id: null, cluster_name: null, migration_status: null });
      const v320 = (await api.admin.get(`/volumes/${volume.id}`, { version: '3.20' })).body.volume;
      expect(v320).to.include.keys('os-vol-host-attr:host');
      expect(v320).to.not.have.any.keys('provider_id', 'cluster_name');
    });

    it('answers 404 itemNotFound for another project, an unknown id and a non-UUID id', async () => {
      const stranger = api.clientFor('u2', otherProject);
      const cross = await stranger.get(`/volumes/${volume.id}`);
      expect(cross.status).to.equal(404);
      expect(cross.body).to.deep.equal({ itemNotFound: { code: 404, message: `Volume ${volume.id} could not be found.` } });
      const unknown = crypto.randomUUID();
      expect((await api.client.get(`/volumes/${unknown}`)).status).to.equal(404);
      const name = await api.client.get('/volumes/shown');
      expect(name.status).to.equal(404);
      expect(name.body.itemNotFound.message).to.equal('Volume shown could not be found.');
    });
  });

  describe('update', () => {
    it('changes name, description and metadata', async () => {
      const id = (await api.client.post('/volumes', createBody(1, { name: 'before', metadata: { a: '1' } }))).body.volume.id;
      const res = await api.client.put(`/volumes/${id}`, { volume: { name: 'after', display_description: 'new', metadata: { b: '2' } } });
      expect(res.status).to.equal(200);
      expect(res.body.volume).to.include({ name: 'after', description: 'new' });
      expect(res.body.volume.metadata).to.deep.equal({ b: '2' });
      expect(res.body.volume.updated_at).to.match(TIMESTAMP_RE);
      const shown = (await api.client.get(`/volumes/${id}`)).body.volume;
      expect(shown).to.include({ name: 'after', description: 'new' });
    });

    it('refuses unknown keys and bad values with 400 and changes nothing', async () => {
      const id = (await api.client.post('/volumes', createBody(1, { name: 'stays' }))).body.volume.id;
      for (const body of [{ volume: { size: 5 } }, { volume: { name: 'x'.repeat(256) } }, { volume: { metadata: 'a=b' } }, { name: 'x' }]) {
        const res = await api.client.put(`/volumes/${id}`, body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
      }
      expect((await api.client.get(`/volumes/${id}`)).body.volume.name).to.equal('stays');
    });
  });
});
