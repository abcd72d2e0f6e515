import { expect } from 'chai';
import { cleanup, insertService, startTestApi, uniqueName, type Json, type TestApi } from './harness.js';

describe('API catalog: volume types, availability zones, services, pools', () => {
  let api: TestApi;
  const hosts: string[] = [];
  let privateTypeId: string;
  let upZone: string;
  let downZone: string;
  let upHost: string;
  let downHost: string;
  let schedulerHost: string;

  before(async () => {
    api = await startTestApi();
    upZone = uniqueName('zone-up');
    downZone = uniqueName('zone-down');
    upHost = `${uniqueName('node')}@fast`;
    downHost = `${uniqueName('node')}@slow`;
    schedulerHost = uniqueName('sched');
    hosts.push(upHost, downHost, schedulerHost);
    await insertService(api.db, {
      host: upHost, zone: upZone,
      capabilities: { pool_name: 'pool-a', total_capacity_gb: 100, free_capacity_gb: 60, storage_protocol: 'nbd' },
    });
    await insertService(api.db, { host: downHost, zone: downZone, heartbeatAgeS: 3600 });
    await insertService(api.db, { binary: 'floe-scheduler', host: schedulerHost, zone: 'nova' });
    const type = await api.db
      .insertInto('volume_types')
      .values({ id: crypto.randomUUID(), name: uniqueName('private'), description: null, is_public: false, extra_specs: '{"k":"v"}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    privateTypeId = type.id;
  });
  after(async () => {
    await cleanup(api.db, [api.project], hosts);
    await api.db.deleteFrom('volume_types').where('id', '=', privateTypeId).execute();
    await api.stop();
  });

  describe('types', () => {
    it('lists public types, accepting is_public=None, in Cinder\'s shape', async () => {
      const res = await api.client.get('/types?is_public=None');
      expect(res.status).to.equal(200);
      const byName = res.body.volume_types.find((t: Json) => t.name === '__DEFAULT__');
      expect(byName).to.deep.include({ description: 'Default Volume Type', is_public: true, qos_specs_id: null, 'os-volume-type-access:is_public': true });
      expect(byName.extra_specs).to.deep.equal({});
      expect(res.body.volume_types.map((t: Json) => t.id)).to.not.include(privateTypeId);
    });

    it('shows private types to admins with is_public=None only', async () => {
      expect((await api.admin.get('/types?is_public=None')).body.volume_types.map((t: Json) => t.id)).to.include(privateTypeId);
      expect((await api.admin.get('/types')).body.volume_types.map((t: Json) => t.id)).to.not.include(privateTypeId);
      expect((await api.admin.get('/types?is_public=maybe')).status).to.equal(400);
    });

    it('shows one type, the default type, and 404 for unknown or private ones', async () => {
      const def = await api.client.get('/types/default');
      expect(def.body.volume_type.name).to.equal('__DEFAULT__');
      const one = await api.client.get(`/types/${def.body.volume_type.id}`);
      expect(one.body.volume_type).to.deep.equal(def.body.volume_type);
      expect((await api.client.get(`/types/${privateTypeId}`)).status).to.equal(404);
      expect((await api.admin.get(`/types/${privateTypeId}`)).body.volume_type.extra_specs).to.deep.equal({ k: 'v' });
      const unknown = await api.client.get('/types/nonsense');
      expect(unknown.body).to.deep.equal({ itemNotFound: { code: 404, message: 'Volume type nonsense could not be found.' } });
    });
  });

  describe('availability zones', () => {
    it('lists the default zone and the zones of volume services, available when one is up', async () => {
      const res = await api.client.get('/os-availability-zone');
      expect(res.status).to.equal(200);
      const zones = res.body.availabilityZoneInfo;
      expect(zones).to.deep.include({ zoneName: upZone, zoneState: { available: true } });
      expect(zones).to.deep.include({ zoneName: downZone, zoneState: { available: false } });
      expect(zones.map((z: Json) => z.zoneName)).to.include('nova');
    });

    it('accepts a volume in a service zone', async () => {
      const res = await api.client.post('/volumes', { volume: { size: 1, availability_zone: upZone } });
      expect(res.status).to.equal(202);
      expect(res.body.volume.availability_zone).to.equal(upZone);
    });
  });

  describe('os-services', () => {
    it('lists services with state, status and versioned fields for admins', async () => {
      const res = await api.admin.get('/os-services');
      expect(res.status).to.equal(200);
      const up = res.body.services.find((s: Json) => s.host === upHost);
      expect(up).to.include({ binary: 'floe-volume', zone: upZone, status: 'enabled', state: 'up', disabled_reason: null, cluster: null, backend_state: 'up' });
      expect(up.updated_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      expect(res.body.services.find((s: Json) => s.host === downHost)).to.include({ state: 'down', backend_state: 'down' });
      const scheduler = res.body.services.find((s: Json) => s.host === schedulerHost);
      expect(scheduler).to.include({ binary: 'floe-scheduler', state: 'up' });
      expect(scheduler).to.not.have.property('backend_state');
    });

    it('filters by host and binary and drops versioned fields at 3.0', async () => {
      const res = await api.admin.get(`/os-services?host=${upHost}&binary=floe-volume`, { version: '3.0' });
      expect(res.body.services).to.have.length(1);
      expect(res.body.services[0]).to.not.have.any.keys('cluster', 'backend_state');
    });

    it('answers 403 to non-admins', async () => {
      const res = await api.client.get('/os-services');
      expect(res.status).to.equal(403);
      expect(res.body.forbidden.message).to.be.a('string');
    });
  });

  describe('scheduler-stats/get_pools', () => {
    it('lists the pools of live volume services, with capabilities on detail=True', async () => {
      const plain = await api.admin.get('/scheduler-stats/get_pools');
      expect(plain.body.pools).to.deep.include({ name: `${upHost}#pool-a` });
      expect(plain.body.pools.map((p: Json) => p.name)).to.not.include(`${downHost}#slow`);
      const detail = await api.admin.get('/scheduler-stats/get_pools?detail=True');
      const pool = detail.body.pools.find((p: Json) => p.name === `${upHost}#pool-a`);
      expect(pool.capabilities).to.deep.equal({ pool_name: 'pool-a', total_capacity_gb: 100, free_capacity_gb: 60, storage_protocol: 'nbd' });
    });

    it('answers 403 to non-admins', async () => {
      expect((await api.client.get('/scheduler-stats/get_pools')).status).to.equal(403);
    });
  });
});
