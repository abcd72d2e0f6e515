import { expect } from 'chai';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FloeConfig } from '../../../common/config.js';
import type { Db } from '../../../common/db/database.js';
import { newUuid } from '../../../common/ids.js';
import { MESSAGE_EVENTS } from '../../../common/messages.js';
import type { RunningService } from '../../../common/service.js';
import { connectRpc } from '../../../rpc/amqp-transport.js';
import { schedulerRpcClient } from '../../../rpc/scheduler-api.js';
import type { RpcTransport } from '../../../rpc/transport.js';
import { volumeRpcClient, volumeTopic } from '../../../rpc/volume-api.js';
import { startSchedulerService } from '../../../scheduler/service.js';
import { FAIL_CREATE_CAPABILITY, FileVolumeDriver } from '../../../volume-worker/drivers/file.js';
import { startVolumeService } from '../../../volume-worker/service.js';
import { TEST_RABBITMQ_URL, openTestDb, testConfig, uniqueName } from '../../support/env.js';
import { cleanUpHost, insertVolume, messagesOf, readVolume, userContext, waitForStatus } from '../../support/volume-fixture.js';

/**
 * The zone is unique to this run, so that backends other tests registered in the shared database
 * are never candidates; any scheduler on the test virtual host would place these volumes alike.
 */
describe('scheduler → volume worker over RabbitMQ and PostgreSQL', function () {
  this.timeout(90_000);
  let db: Db;
  let rpc: RpcTransport;
  let dataDir: string;
  let config: FloeConfig;
  const services: RunningService[] = [];
  const zone = uniqueName('az');
  const lateZone = uniqueName('az-late');

  function backendsConfig(): FloeConfig {
    const backends = [
      // The largest backend wins the first placement, and fails it.
      { name: 'bad', driver: 'file', path: path.join(dataDir, 'bad'), capacityGb: 100, thinProvisioning: false, capabilities: { [FAIL_CREATE_CAPABILITY]: true } },
      { name: 'good', driver: 'file', path: path.join(dataDir, 'good'), capacityGb: 50, thinProvisioning: false },
      { name: 'late', driver: 'file', path: path.join(dataDir, 'late'), capacityGb: 10, availabilityZone: lateZone },
    ];
    return testConfig({
      FLOE_HOST: uniqueName('sched'),
      FLOE_DATA_DIR: dataDir,
      FLOE_BACKENDS: JSON.stringify(backends),
      FLOE_DEFAULT_AVAILABILITY_ZONE: zone,
      FLOE_SCHEDULER_MAX_ATTEMPTS: '3',
      // The scheduler reads the services table only at start: 'late' is learnt from the fanout.
      FLOE_REPORT_INTERVAL_S: '3600',
    });
  }

  const backendHost = (name: string) => `${config.host}@${name}`;
  const startBackend = async (name: string) => {
    const backend = config.backends.find((b) => b.name === name);
    if (!backend) throw new Error(`no backend ${name}`);
    services.push(await startVolumeService({ config, db, rpc, backend }));
  };

  before(async () => {
    db = await openTestDb();
    rpc = await connectRpc(TEST_RABBITMQ_URL, { prefetch: 4, callTimeoutMs: 10_000, maxAttempts: 3 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'floe-scheduling-'));
    config = backendsConfig();
    await startBackend('bad');
    await startBackend('good');
    services.push(await startSchedulerService({ config, db, rpc }));
  });

  after(async () => {
    for (const service of services.reverse()) await service.stop();
    const queues = config ? config.backends.map((b) => volumeTopic(backendHost(b.name))) : [];
    if (config) await cleanUpHost(db, config.host, queues);
    await rpc?.close();
    await db?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers its own heartbeat', async () => {
    const row = await db.selectFrom('services').selectAll().where('binary', '=', 'floe-scheduler').where('host', '=', config.host).executeTakeFirst();
    expect(row?.availability_zone).to.equal(zone);
  });

  it('retries a create that a backend failed on another backend', async () => {
    const ctx = userContext();
    const id = await insertVolume(db, ctx, { availability_zone: zone, size: 1 });
    await schedulerRpcClient(rpc).createVolume({ volumeId: id }, ctx);
    const row = await waitForStatus(db, id, ['available', 'error']);
    expect(row).to.include({ status: 'available', host: `${backendHost('good')}#good`, scheduling_attempts: 2 });
    expect(row.scheduling_excluded_hosts).to.deep.equal([backendHost('bad')]);
    const good = new FileVolumeDriver(config.backends[1]);
    expect(await good.getVolumeSize({ id })).to.equal(1);
    expect(await messagesOf(db, ctx)).to.have.length(0);
  });

  it('puts a volume no backend can hold in error, with a user message naming size and zone', async () => {
    const ctx = userContext();
    const id = await insertVolume(db, ctx, { availability_zone: zone, size: 5000 });
    await schedulerRpcClient(rpc).createVolume({ volumeId: id }, ctx);
    const row = await waitForStatus(db, id, ['error', 'available']);
    expect(row.status).to.equal('error');
    expect(row.host).to.equal(null);
    expect(row.status_reason).to.match(/No valid backend/);
    const messages = await messagesOf(db, ctx);
    expect(messages).to.have.length(1);
    expect(messages[0]).to.include({ event_id: MESSAGE_EVENTS.scheduleCreateVolume, resource_uuid: id, message_level: 'ERROR' });
    expect(messages[0].user_message).to.include('Could not find any available weighted backend').and.include('5000 GiB').and.include(zone);
  });

  it('stops retrying once every matching backend has failed the volume', async () => {
    const ctx = userContext();
    const typeId = newUuid<string>();
    await db.insertInto('volume_types').values({
      id: typeId, name: uniqueName('only-bad'), description: null, is_public: true,
      extra_specs: JSON.stringify({ volume_backend_name: 'bad' }), created_at: new Date(),
    }).execute();
    const id = await insertVolume(db, ctx, { availability_zone: zone, volume_type_id: typeId });
    await schedulerRpcClient(rpc).createVolume({ volumeId: id }, ctx);
    const row = await waitForStatus(db, id, ['error', 'available']);
    expect(row).to.include({ status: 'error', scheduling_attempts: 1 });
    expect(row.scheduling_excluded_hosts).to.deep.equal([backendHost('bad')]);
    expect(row.status_reason).to.match(/No valid backend/);
    expect(await messagesOf(db, ctx)).to.have.length(1);
    await db.deleteFrom('volumes').where('id', '=', id).execute();
    await db.deleteFrom('volume_types').where('id', '=', typeId).execute();
  });

  it('resumes hand-offs whose cast was lost, in both directions', async () => {
    const ctx = userContext();
    // Scheduled to 'good' by an earlier delivery that died before casting: sent to 'good' again.
    const scheduled = await insertVolume(db, ctx, { availability_zone: zone, host: `${backendHost('good')}#good`, scheduling_attempts: 1 });
    await schedulerRpcClient(rpc).createVolume({ volumeId: scheduled }, ctx);
    // Given back by 'bad' whose cast to the scheduler was lost: 'bad' casts it again when redelivered.
    const handedBack = await insertVolume(db, ctx, {
      availability_zone: zone, scheduling_attempts: 1, scheduling_excluded_hosts: JSON.stringify([backendHost('bad')]),
    });
    await volumeRpcClient(rpc).createVolume(backendHost('bad'), { volumeId: handedBack }, ctx);
    for (const id of [scheduled, handedBack]) {
      const row = await waitForStatus(db, id, ['available', 'error']);
      expect(row).to.include({ status: 'available', host: `${backendHost('good')}#good` });
    }
    expect((await readVolume(db, scheduled)).scheduling_attempts).to.equal(1);
    expect((await readVolume(db, handedBack)).scheduling_attempts).to.equal(2);
  });

  it('places volumes on a backend it learnt of from the capabilities fanout', async () => {
    await startBackend('late');
    const ctx = userContext();
    const id = await insertVolume(db, ctx, { availability_zone: lateZone, size: 2 });
    await schedulerRpcClient(rpc).createVolume({ volumeId: id }, ctx);
    const row = await waitForStatus(db, id, ['available', 'error']);
    expect(row).to.include({ status: 'available', host: `${backendHost('late')}#late` });
    await access(new FileVolumeDriver(config.backends[2]).volumePath(id));
  });
});
