import { expect } from 'chai';
import { access, mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BackendConfig, FloeConfig } from '../../../common/config.js';
import type { RequestContext } from '../../../common/context.js';
import type { Db } from '../../../common/db/database.js';
import { MESSAGE_EVENTS } from '../../../common/messages.js';
import type { RunningService } from '../../../common/service.js';
import { transitionVolume } from '../../../common/status.js';
import { connectRpc } from '../../../rpc/amqp-transport.js';
import type { RpcTransport } from '../../../rpc/transport.js';
import { volumeRpcClient, volumeTopic } from '../../../rpc/volume-api.js';
import { FileVolumeDriver } from '../../../volume-worker/drivers/file.js';
import { startVolumeService } from '../../../volume-worker/service.js';
import { TEST_RABBITMQ_URL, openTestDb, testConfig, uniqueName } from '../../support/env.js';
import { cleanUpHost, insertVolume, messagesOf, readVolume, userContext, waitForQueueState, waitForStatus } from '../../support/volume-fixture.js';

const GIB = 1024 ** 3;

function workerConfig(dataDir: string, capabilities: Record<string, boolean> = {}): FloeConfig {
  const backends = [{ name: 'be1', driver: 'file', path: path.join(dataDir, 'be1'), capacityGb: 20, thinProvisioning: false, capabilities }];
  return testConfig({
    FLOE_HOST: uniqueName('vw'),
    FLOE_DATA_DIR: dataDir,
    FLOE_BACKENDS: JSON.stringify(backends),
    FLOE_REPORT_INTERVAL_S: '1',
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

describe('volume worker (file driver) over RabbitMQ and PostgreSQL', function () {
  this.timeout(60_000);
  let db: Db;
  let rpc: RpcTransport;
  let dataDir: string;
  const hosts: string[] = [];

  before(async () => {
    db = await openTestDb();
    // One delivery at a time: messages on a queue are handled in the order they were sent.
    rpc = await connectRpc(TEST_RABBITMQ_URL, { prefetch: 1, callTimeoutMs: 10_000, maxAttempts: 3 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'floe-volume-worker-'));
  });

  after(async () => {
    for (const host of hosts) await cleanUpHost(db, host, [volumeTopic(`${host}@be1`)]);
    await rpc?.close();
    await db?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(config: FloeConfig): Promise<{ service: RunningService; backend: BackendConfig; backendHost: string }> {
    hosts.push(config.host);
    const backend = config.backends[0];
    const service = await startVolumeService({ config, db, rpc, backend });
    return { service, backend, backendHost: `${config.host}@${backend.name}` };
  }

  describe('create, extend, delete', () => {
    let service: RunningService;
    let backendHost: string;
    let driver: FileVolumeDriver;
    let ctx: RequestContext;

    before(async () => {
      const started = await start(workerConfig(path.join(dataDir, 'main')));
      ({ service, backendHost } = started);
      driver = new FileVolumeDriver(started.backend);
    });
    after(async () => service?.stop());
    beforeEach(() => {
      ctx = userContext();
    });

    const client = () => volumeRpcClient(rpc);
    const owned = () => ({ host: `${backendHost}#be1` });
    /** Sends a create last and waits for it: the requests sent before it have then been handled. */
    const handledInOrder = async () => {
      const marker = await insertVolume(db, ctx, { ...owned() });
      await client().createVolume(backendHost, { volumeId: marker }, ctx);
      await waitForStatus(db, marker, ['available']);
    };

    it('registers the backend with its capabilities before consuming', async () => {
      const row = await db.selectFrom('services').selectAll().where('binary', '=', 'floe-volume').where('host', '=', backendHost).executeTakeFirstOrThrow();
      expect(row.capabilities).to.include({ host: backendHost, total_capacity_gb: 20, volume_backend_name: 'be1', pool_name: 'be1' });
      expect(Date.now() - row.heartbeat_at.getTime()).to.be.lessThan(60_000);
    });

    it('creates a sparse file of the volume size and makes the volume available', async () => {
      const id = await insertVolume(db, ctx, { size: 2, ...owned() });
      await client().createVolume(backendHost, { volumeId: id }, ctx);
      const row = await waitForStatus(db, id, ['available', 'error']);
      expect(row.status).to.equal('available');
      const info = await stat(driver.volumePath(id));
      expect(info.size).to.equal(2 * GIB);
      expect(info.blocks * 512).to.be.lessThan(GIB);
    });

    it('ignores a second identical create, and requests for volumes of other backends', async () => {
      const id = await insertVolume(db, ctx, { ...owned() });
      await client().createVolume(backendHost, { volumeId: id }, ctx);
      await waitForStatus(db, id, ['available']);
      await unlink(driver.volumePath(id));
      const foreign = await insertVolume(db, ctx, { host: 'elsewhere@be1#be1' });
      await client().createVolume(backendHost, { volumeId: id }, ctx);
      await client().createVolume(backendHost, { volumeId: foreign }, ctx);
      await handledInOrder();
      expect(await exists(driver.volumePath(id))).to.equal(false);
      expect((await readVolume(db, foreign)).status).to.equal('creating');
      expect(await exists(driver.volumePath(foreign))).to.equal(false);
    });

    it('extends a volume, and ignores an extend of a volume that is not extending', async () => {
      const id = await insertVolume(db, ctx, { size: 1, ...owned() });
      await client().createVolume(backendHost, { volumeId: id }, ctx);
      await waitForStatus(db, id, ['available']);
      await client().extendVolume(backendHost, { volumeId: id, newSizeGb: 5 }, ctx);
      await handledInOrder();
      await transitionVolume(db, id, 'extend');
      await client().extendVolume(backendHost, { volumeId: id, newSizeGb: 3 }, ctx);
      const row = await waitForStatus(db, id, ['available', 'error_extending']);
      expect(row).to.include({ status: 'available', size: 3 });
      expect((await stat(driver.volumePath(id))).size).to.equal(3 * GIB);
    });

    it('puts a failed extend in error_extending with a user message', async () => {
      const id = await insertVolume(db, ctx, { status: 'extending', size: 1, ...owned() });
      await client().extendVolume(backendHost, { volumeId: id, newSizeGb: 2 }, ctx);
      const row = await waitForStatus(db, id, ['error_extending', 'available']);
      expect(row.status).to.equal('error_extending');
      expect(row.status_reason).to.match(/extendVolume failed/);
      const messages = await messagesOf(db, ctx);
      expect(messages.map((m) => m.event_id)).to.deep.equal([MESSAGE_EVENTS.extendVolume]);
      expect(messages[0].resource_uuid).to.equal(id);
    });

    it('deletes the file and marks the volume deleted, once', async () => {
      const id = await insertVolume(db, ctx, { ...owned() });
      await client().createVolume(backendHost, { volumeId: id }, ctx);
      await waitForStatus(db, id, ['available']);
      await transitionVolume(db, id, 'delete');
      await client().deleteVolume(backendHost, { volumeId: id }, ctx);
      const row = await waitForStatus(db, id, ['deleted', 'error_deleting']);
      expect(row.status).to.equal('deleted');
      expect(row.deleted_at).to.be.instanceOf(Date);
      expect(await exists(driver.volumePath(id))).to.equal(false);
      await client().deleteVolume(backendHost, { volumeId: id }, ctx);
      await handledInOrder();
      expect(await readVolume(db, id)).to.include({ status: 'deleted' });
      expect(await messagesOf(db, ctx)).to.have.length(0);
    });
  });

  it('puts a create that failed on its last attempt in error with a user message', async () => {
    const { service, backendHost } = await start(workerConfig(path.join(dataDir, 'failing'), { floe_test_fail_create: true }));
    try {
      const ctx = userContext();
      const id = await insertVolume(db, ctx, { host: `${backendHost}#be1`, scheduling_attempts: 3 });
      await volumeRpcClient(rpc).createVolume(backendHost, { volumeId: id }, ctx);
      const row = await waitForStatus(db, id, ['error', 'available']);
      expect(row.status).to.equal('error');
      expect(row.status_reason).to.match(/floe_test_fail_create/);
      expect(row.scheduling_excluded_hosts).to.deep.equal([backendHost]);
      const messages = await messagesOf(db, ctx);
      expect(messages.map((m) => m.event_id)).to.deep.equal([MESSAGE_EVENTS.createVolumeFromBackend]);
    } finally {
      await service.stop();
    }
  });

  it('stops consuming on stop(); what arrives meanwhile waits in the queue for the next start', async () => {
    const config = workerConfig(path.join(dataDir, 'stopped'));
    const first = await start(config);
    await first.service.stop();
    const ctx = userContext();
    const id = await insertVolume(db, ctx, { host: `${first.backendHost}#be1` });
    await volumeRpcClient(rpc).createVolume(first.backendHost, { volumeId: id }, ctx);
    const waiting = { messages: 1, consumers: 0 };
    expect(await waitForQueueState(volumeTopic(first.backendHost), waiting)).to.deep.equal(waiting);
    expect((await readVolume(db, id)).status).to.equal('creating');
    const service = await startVolumeService({ config, db, rpc, backend: first.backend });
    try {
      expect((await waitForStatus(db, id, ['available', 'error'])).status).to.equal('available');
    } finally {
      await service.stop();
    }
  });

  it('resolves at start-up the volumes a crash left creating, extending or deleting', async () => {
    const config = workerConfig(path.join(dataDir, 'restart'));
    const backendHost = `${config.host}@be1`;
    const driver = new FileVolumeDriver(config.backends[0]);
    await driver.setup();
    const ctx = userContext();
    const host = `${backendHost}#be1`;
    const creating = await insertVolume(db, ctx, { host, size: 2 });
    const deleting = await insertVolume(db, ctx, { host, status: 'deleting' });
    await driver.createVolume({ id: deleting, sizeGb: 1 });
    const grown = await insertVolume(db, ctx, { host, status: 'extending', size: 1 });
    await driver.createVolume({ id: grown, sizeGb: 4 });
    const notGrown = await insertVolume(db, ctx, { host, status: 'extending', size: 1 });
    await driver.createVolume({ id: notGrown, sizeGb: 1 });
    const other = await insertVolume(db, ctx, { host: 'elsewhere@be1#be1', status: 'deleting' });

    const { service } = await start(config);
    try {
      expect(await readVolume(db, creating)).to.include({ status: 'available', size: 2 });
      expect((await stat(driver.volumePath(creating))).size).to.equal(2 * GIB);
      expect(await readVolume(db, deleting)).to.include({ status: 'deleted' });
      expect(await exists(driver.volumePath(deleting))).to.equal(false);
      expect(await readVolume(db, grown)).to.include({ status: 'available', size: 4 });
      expect(await readVolume(db, notGrown)).to.include({ status: 'available', size: 1 });
      expect(await readVolume(db, other)).to.include({ status: 'deleting' });
    } finally {
      await service.stop();
    }
  });
});
