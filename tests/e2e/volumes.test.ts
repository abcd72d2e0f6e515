import { expect } from 'chai';
import { TestApi } from '../support/api-client.js';
import { startStack, type Stack } from '../support/stack.js';

type Volume = Record<string, unknown>;

function backendOf(volume: Volume): string {
  return String(volume['os-vol-host-attr:host']).split('@')[1].split('#')[0];
}

describe('e2e: volumes through API, RabbitMQ, scheduler and volume workers (separate processes)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let api: TestApi;
  let admin: TestApi;

  before(async () => {
    stack = await startStack({
      backends: [
        { name: 'small', capacityGb: 10, thinProvisioning: false },
        { name: 'large', capacityGb: 20, thinProvisioning: false },
      ],
    });
    api = new TestApi(stack.apiUrl, 'alice', 'e2e-project');
    admin = new TestApi(stack.apiUrl, 'admin', 'admin');
  });
  after(async () => stack?.stop());

  it('spreads 20 concurrent creates by free capacity and makes them all available', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.request<{ volume: Volume }>('POST', '/volumes', { volume: { size: 1, name: `spread-${i}` } })),
    );
    for (const res of created) expect(res.status).to.equal(202);
    const ids = created.map((res) => String(res.body.volume.id));
    await Promise.all(ids.map((id) => api.waitForVolume(id, ['available'])));
    const counts: Record<string, number> = { small: 0, large: 0 };
    for (const id of ids) {
      const res = await admin.request<{ volume: Volume }>('GET', `/volumes/${id}?all_tenants=1`);
      counts[backendOf(res.body.volume)] += 1;
    }
    // Thick capacity weighing: 'large' (20 GB free) takes volumes until its free space equals
    // 'small' (10 GB), then they alternate: ideally 15 and 5.
    expect(counts.small + counts.large).to.equal(20);
    expect(counts.large).to.be.within(13, 17);
    expect(counts.small).to.be.within(3, 7);
    await Promise.all(ids.map((id) => api.request('DELETE', `/volumes/${id}`)));
    await Promise.all(ids.map((id) => api.waitForVolume(id, ['deleted'])));
  });

  it('puts a volume too large for every backend in error with a user message', async () => {
    const res = await api.request<{ volume: Volume }>('POST', '/volumes', { volume: { size: 500, name: 'huge' } });
    expect(res.status).to.equal(202);
    const requestId = res.headers.get('x-openstack-request-id');
    const volume = await api.waitForVolume(String(res.body.volume.id), ['error', 'available']);
    expect(volume.status).to.equal('error');
    const messages = await api.request<{ messages: Volume[] }>('GET', `/messages?request_id=${requestId}`);
    expect(messages.status).to.equal(200);
    expect(messages.body.messages).to.have.length(1);
    expect(String(messages.body.messages[0].user_message)).to.match(/backend/i);
    const deleted = await api.request('DELETE', `/volumes/${volume.id}`);
    expect(deleted.status).to.equal(202);
    await api.waitForVolume(String(volume.id), ['deleted']);
  });

  it('extends and deletes a volume, and another project cannot see it', async () => {
    const res = await api.request<{ volume: Volume }>('POST', '/volumes', { volume: { size: 1, name: 'grow' } });
    const id = String(res.body.volume.id);
    await api.waitForVolume(id, ['available']);
    const other = api.as('mallory', 'other-project');
    expect((await other.request('GET', `/volumes/${id}`)).status).to.equal(404);
    expect((await other.request('DELETE', `/volumes/${id}`)).status).to.equal(404);
    expect((await other.request('POST', `/volumes/${id}/action`, { 'os-extend': { new_size: 3 } })).status).to.equal(404);
    const list = await other.request<{ volumes: Volume[] }>('GET', '/volumes/detail?all_tenants=1');
    expect(list.body.volumes.map((v) => v.id)).to.not.include(id);

    expect((await api.request('POST', `/volumes/${id}/action`, { 'os-extend': { new_size: 3 } })).status).to.equal(202);
    const extended = await api.waitForVolume(id, ['available', 'error_extending']);
    expect(extended.size).to.equal(3);
    expect(extended.status).to.equal('available');
    expect((await api.request('DELETE', `/volumes/${id}`)).status).to.equal(202);
    await api.waitForVolume(id, ['deleted']);
  });

  it('answers bad bodies with 400 and writes nothing', async () => {
    const before = await api.request<{ count: number }>('GET', '/volumes/detail?with_count=True');
    const bad: unknown[] = [
      '{"volume": {"size": 1',
      { volume: { size: 0 } },
      { volume: { size: -1 } },
      { volume: { size: 1.5 } },
      { volume: { size: 'big' } },
      { volume: { size: 1, availability_zone: 'nowhere' } },
      { volume: { size: 1, volume_type: 'no-such-type' } },
      { volume: { size: 1, metadata: 'x' } },
      { volume: { size: 1, name: 7 } },
      { notvolume: {} },
    ];
    for (const body of bad) {
      const res = await api.request<Record<string, { code: number; message: string }>>('POST', '/volumes', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.badRequest.message).to.be.a('string').with.length.greaterThan(0);
    }
    const after = await api.request<{ count: number }>('GET', '/volumes/detail?with_count=True');
    expect(after.body.count).to.equal(before.body.count);
  });
});
