import { expect } from 'chai';
import { MESSAGE_EVENTS, recordUserMessage } from '../../../common/messages.js';
import { newRequestId } from '../../../common/ids.js';
import { cleanup, startTestApi, uniqueName, type Json, type TestApi } from './harness.js';

describe('API messages', () => {
  let api: TestApi;
  let otherProject: string;
  let requestId: string;
  const volumeId = crypto.randomUUID();

  before(async () => {
    api = await startTestApi();
    otherProject = uniqueName('other');
    const created = await api.client.post('/volumes', { volume: { size: 1 } });
    requestId = created.headers.get('x-openstack-request-id') as string;
    const context = { requestId, projectId: api.project, userId: 'u1', roles: [] };
    await recordUserMessage(api.db, context, { type: 'VOLUME', id: volumeId }, MESSAGE_EVENTS.scheduleCreateVolume, 'schedule allocate volume: Could not find any available weighted backend.');
    const other = { requestId: newRequestId(), projectId: api.project, userId: 'u1', roles: [] };
    await recordUserMessage(api.db, other, { type: 'VOLUME', id: crypto.randomUUID() }, MESSAGE_EVENTS.extendVolume, 'extend volume: failed.');
    const foreign = { requestId, projectId: otherProject, userId: 'u2', roles: [] };
    await recordUserMessage(api.db, foreign, { type: 'VOLUME', id: volumeId }, MESSAGE_EVENTS.deleteVolume, 'not yours');
  });
  after(async () => {
    await cleanup(api.db, [api.project, otherProject]);
    await api.stop();
  });

  it('finds the message of a request by request_id, as cinder create --poll does', async () => {
    const res = await api.client.get(`/messages?request_id=${requestId}`);
    expect(res.status).to.equal(200);
    expect(res.body.messages).to.have.length(1);
    const [message] = res.body.messages;
    expect(message).to.include({
      user_message: 'schedule allocate volume: Could not find any available weighted backend.',
      request_id: requestId, resource_type: 'VOLUME', resource_uuid: volumeId,
      event_id: 'VOLUME_VOLUME_001_003', message_level: 'ERROR',
    });
    expect(message.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(message.guaranteed_until).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(message.links[0].href).to.equal(`${api.client.baseUrl}/messages/${message.id}`);
  });

  it('lists only the caller\'s project and filters by resource', async () => {
    expect((await api.client.get('/messages')).body.messages).to.have.length(2);
    const byResource = await api.client.get(`/messages?resource_uuid=${volumeId}&resource_type=VOLUME`);
    expect(byResource.body.messages.map((m: Json) => m.user_message)).to.deep.equal([
      'schedule allocate volume: Could not find any available weighted backend.',
    ]);
    expect((await api.client.get('/messages?resource_uuid=nope')).status).to.equal(400);
  });

  it('shows and deletes one message', async () => {
    const [message] = (await api.client.get(`/messages?request_id=${requestId}`)).body.messages;
    const shown = await api.client.get(`/messages/${message.id}`);
    expect(shown.body.message).to.deep.equal(message);
    expect((await api.clientFor('u2', otherProject).get(`/messages/${message.id}`)).status).to.equal(404);
    expect((await api.client.delete(`/messages/${message.id}`)).status).to.equal(204);
    expect((await api.client.get(`/messages/${message.id}`)).status).to.equal(404);
  });

  it('does not exist before microversion 3.3', async () => {
    const res = await api.client.get('/messages', { version: '3.2' });
    expect(res.status).to.equal(404);
    expect(res.body.itemNotFound.message).to.equal('API version 3.2 is not supported on this method.');
  });
});
