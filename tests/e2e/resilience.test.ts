import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { TestApi } from '../support/api-client.js';
import { relayToTestDatabase } from '../support/env.js';
import { startStack, type Stack } from '../support/stack.js';
import type { TcpRelay } from '../support/tcp-relay.js';

const exec = promisify(execFile);
type Volume = Record<string, unknown>;

async function createVolumes(api: TestApi, count: number, prefix: string): Promise<string[]> {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) => api.request<{ volume: Volume }>('POST', '/volumes', { volume: { size: 1, name: `${prefix}-${i}` } })),
  );
  for (const reply of replies) expect(reply.status).to.equal(202);
  return replies.map((reply) => String(reply.body.volume.id));
}

describe('e2e: failures lose no request and leave nothing transitional', function () {
  this.timeout(180_000);
  let stack: Stack;
  let api: TestApi;
  let admin: TestApi;
  /** Between the scheduler and volume workers and PostgreSQL; the API reaches it directly. */
  let databaseRelay: TcpRelay;

  before(async () => {
    databaseRelay = (await relayToTestDatabase()).relay;
    stack = await startStack({
      workerDatabasePort: databaseRelay.port,
      backends: [
        // The larger backend wins the weighing, fails every create, and the scheduler retries elsewhere.
        { name: 'flaky', capacityGb: 100, capabilities: { floe_test_fail_create: true } },
        { name: 'steady', capacityGb: 50 },
      ],
    });
    api = new TestApi(stack.apiUrl, 'bob', 'resilience');
    admin = new TestApi(stack.apiUrl, 'admin', 'admin');
  });
  after(async () => {
    await stack?.stop();
    await databaseRelay?.down();
  });

  it('retries a create that fails on one backend on another', async () => {
    const [id] = await createVolumes(api, 1, 'retry');
    await api.waitForVolume(id, ['available']);
    const res = await admin.request<{ volume: Volume }>('GET', `/volumes/${id}`);
    expect(String(res.body.volume['os-vol-host-attr:host'])).to.match(/@steady#/);
  });

  it('keeps requests accepted while the scheduler is down and serves them when it is back', async () => {
    await stack.kill('scheduler', 'SIGTERM');
    const ids = await createVolumes(api, 3, 'queued');
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of ids) {
      const res = await api.request<{ volume: Volume }>('GET', `/volumes/${id}`);
      expect(res.body.volume.status).to.equal('creating');
    }
    await stack.start('scheduler');
    for (const id of ids) await api.waitForVolume(id, ['available'], 60_000);
  });

  it('finishes the work of a volume worker killed with SIGKILL once it restarts', async () => {
    await stack.kill('volume-steady', 'SIGKILL');
    const ids = await createVolumes(api, 3, 'orphan');
    await new Promise((r) => setTimeout(r, 1500));
    await stack.start('volume-steady');
    for (const id of ids) await api.waitForVolume(id, ['available'], 60_000);
  });

  it('loses nothing when every connection to RabbitMQ is cut', async () => {
    const vhost = new URL(String(stack.env.FLOE_RABBITMQ_URL)).pathname.slice(1);
    const cut = exec('rabbitmqctl', ['-q', 'close_all_connections', '-p', vhost, 'cut by the resilience test']);
    const ids = await createVolumes(api, 10, 'cut');
    await cut;
    for (const id of ids) await api.waitForVolume(id, ['available'], 60_000);
  });

  it('serves the creates accepted while the scheduler and volume workers cannot reach the database once it is back', async () => {
    await databaseRelay.down();
    let ids: string[];
    try {
      ids = await createVolumes(api, 3, 'db-cut');
      // Longer than the RPC layer's redeliveries take to dead-letter a failing request (about a second).
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      await databaseRelay.up();
    }
    for (const id of ids) await api.waitForVolume(id, ['available'], 60_000);
  });

  it('loses no accepted create when the API is killed with SIGKILL right after answering', async () => {
    // Each 202 means the row and its outbox message were committed together; whatever the killed
    // process had not yet published, the restarted API's outbox relay publishes.
    const ids = await createVolumes(api, 20, 'crash');
    await stack.kill('api', 'SIGKILL');
    await stack.start('api');
    for (const id of ids) await api.waitForVolume(id, ['available'], 60_000);
  });
});
