import { expect } from 'chai';
import { setVolumeStatus } from '../../../common/status.js';
import { VOLUME_RPC_VERSION, volumeTopic } from '../../../rpc/volume-api.js';
import { cleanup, makeAvailable, startTestApi, uniqueName, type TestApi } from './harness.js';

describe('API volume delete and actions', () => {
  let api: TestApi;
  let otherProject: string;
  const host = 'node7@file-small#file-small';

  before(async () => {
    api = await startTestApi();
    otherProject = uniqueName('other');
  });
  after(async () => {
    await cleanup(api.db, [api.project, otherProject]);
    await api.stop();
  });

  async function newVolume(size = 1): Promise<string> {
    const res = await api.client.post('/volumes', { volume: { size } });
    expect(res.status).to.equal(202);
    return res.body.volume.id;
  }

  async function availableVolume(size = 1): Promise<string> {
    const id = await newVolume(size);
    await makeAvailable(api.db, id, host);
    return id;
  }

  async function statusOf(id: string): Promise<string> {
    const row = await api.db.selectFrom('volumes').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    return row.status;
  }

  describe('delete', () => {
    it('moves a placed volume to deleting and casts deleteVolume to its backend', async () => {
      const id = await availableVolume();
      const res = await api.client.delete(`/volumes/${id}`);
      expect(res.status).to.equal(202);
      expect(res.body).to.equal(undefined);
      expect(await statusOf(id)).to.equal('deleting');
      const [cast] = api.outbox.castsFor(id).filter((c) => c.method === 'deleteVolume');
      expect(cast).to.deep.include({ topic: volumeTopic('node7@file-small'), args: { volumeId: id } });
      expect(cast.options?.version).to.equal(VOLUME_RPC_VERSION);
    });

    it('deletes a volume that never got a host directly, without a cast', async () => {
      const id = await newVolume();
      await setVolumeStatus(api.db, id, ['creating'], 'error');
      const casts = api.outbox.casts.length;
      const res = await api.client.delete(`/volumes/${id}`);
      expect(res.status).to.equal(202);
      expect(await statusOf(id)).to.equal('deleted');
      expect(api.outbox.casts.length).to.equal(casts);
      expect((await api.client.get(`/volumes/${id}`)).status).to.equal(404);
      expect((await api.client.get('/volumes/detail')).body.volumes.map((v: { id: string }) => v.id)).to.not.include(id);
    });

    it('refuses a volume in a wrong status with 400 naming the status, and changes nothing', async () => {
      const id = await newVolume();
      const casts = api.outbox.casts.length;
      const res = await api.client.delete(`/volumes/${id}`);
      expect(res.status).to.equal(400);
      expect(res.body.badRequest.message).to.contain('creating');
      expect(await statusOf(id)).to.equal('creating');
      expect(api.outbox.casts.length).to.equal(casts);
    });

    it('answers 404 for another project\'s volume', async () => {
      const id = await availableVolume();
      const res = await api.clientFor('u2', otherProject).delete(`/volumes/${id}`);
      expect(res.status).to.equal(404);
      expect(await statusOf(id)).to.equal('available');
    });
  });

  describe('os-extend', () => {
    it('moves the volume to extending and casts extendVolume to its backend', async () => {
      const id = await availableVolume(1);
      const res = await api.client.post(`/volumes/${id}/action`, { 'os-extend': { new_size: 3 } });
      expect(res.status).to.equal(202);
      expect(await statusOf(id)).to.equal('extending');
      const [cast] = api.outbox.castsFor(id).filter((c) => c.method === 'extendVolume');
      expect(cast).to.deep.include({ topic: volumeTopic('node7@file-small'), args: { volumeId: id, newSizeGb: 3 } });
    });

    it('refuses a size that is not larger with Cinder\'s message', async () => {
      const id = await availableVolume(1);
      for (const newSize of [1, 0]) {
        const res = await api.client.post(`/volumes/${id}/action`, { 'os-extend': { new_size: newSize } });
        expect(res.status).to.equal(400);
        if (newSize === 1) {
          expect(res.body.badRequest.message).to.equal(
            'Invalid input received: New size for extend must be greater than current size. (current: 1, extended: 1).',
          );
        }
      }
      expect(await statusOf(id)).to.equal('available');
    });

    it('refuses a volume that is not available, naming its status', async () => {
      const id = await newVolume();
      const res = await api.client.post(`/volumes/${id}/action`, { 'os-extend': { new_size: 5 } });
      expect(res.status).to.equal(400);
      expect(res.body.badRequest.message).to.contain('creating');
      expect(api.outbox.castsFor(id).filter((c) => c.method === 'extendVolume')).to.deep.equal([]);
    });

    it('refuses a malformed new_size', async () => {
      const id = await availableVolume();
      for (const args of [{ new_size: 'big' }, {}, { new_size: 2, extra: 1 }, null]) {
        const res = await api.client.post(`/volumes/${id}/action`, { 'os-extend': args });
        expect(res.status, JSON.stringify(args)).to.equal(400);
      }
      expect(await statusOf(id)).to.equal('available');
    });
  });

  describe('os-reset_status', () => {
    it('lets an admin set status and attach_status, and accepts {}', async () => {
      const id = await newVolume();
      expect((await api.admin.post(`/volumes/${id}/action`, { 'os-reset_status': {} })).status).to.equal(202);
      expect(await statusOf(id)).to.equal('creating');
      const res = await api.admin.post(`/volumes/${id}/action`, {
        'os-reset_status': { status: 'error', attach_status: 'attached', migration_status: 'none' },
      });
      expect(res.status).to.equal(202);
      const row = await api.db.selectFrom('volumes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).to.include({ status: 'error', attach_status: 'attached' });
    });

    it('answers 403 to a non-admin', async () => {
      const id = await newVolume();
      const res = await api.client.post(`/volumes/${id}/action`, { 'os-reset_status': { status: 'available' } });
      expect(res.status).to.equal(403);
      expect(res.body.forbidden.code).to.equal(403);
      expect(await statusOf(id)).to.equal('creating');
    });

    it('refuses a status outside the resettable ones', async () => {
      const id = await newVolume();
      for (const status of ['deleted', 'bogus']) {
        const res = await api.admin.post(`/volumes/${id}/action`, { 'os-reset_status': { status } });
        expect(res.status, status).to.equal(400);
      }
      expect(await statusOf(id)).to.equal('creating');
    });
  });

  it('refuses an unknown action and a body that is not one action', async () => {
    const id = await availableVolume();
    const unknown = await api.client.post(`/volumes/${id}/action`, { 'os-frobnicate': null });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.badRequest.message).to.equal('There is no such action: os-frobnicate');
    const two = await api.client.post(`/volumes/${id}/action`, { 'os-extend': { new_size: 2 }, 'os-reset_status': {} });
    expect(two.status).to.equal(400);
    expect(await statusOf(id)).to.equal('available');
  });
});
