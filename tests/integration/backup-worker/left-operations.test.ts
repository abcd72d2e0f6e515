import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newUuid } from '../../../common/ids.js';
import { failBackup } from '../../../common/backup-failure.js';
import { openDatabase, type Db } from '../../../common/db/database.js';
import type { NewBackup } from '../../../common/db/schema.js';
import { getLogger } from '../../../common/logger.js';
import { untilDatabaseAnswers } from '../../../common/db/database-wait.js';
import {
  resolveOrphaned, UNRECORDED_BACKUP_REASON, UNRECORDED_RESTORE_REASON,
} from '../../../backup-worker/operations/resolve-interrupted.js';
import { RepositorySet } from '../../../backup-worker/repository-set.js';
import { RunningOperations } from '../../../backup-worker/running-operations.js';
import type { BackupRuntime } from '../../../backup-worker/runtime.js';
import { openTestDb, relayToTestDatabase, testConfig, uniqueName } from '../../support/env.js';
import { outcomeWithin } from '../../support/outcome-within.js';
import { insertVolume, readVolume, userContext } from '../../support/volume-fixture.js';
import type { RequestContext } from '../../../common/context.js';

/** Operations of a backup worker whose end could not be recorded at first, or at all. */
describe('backup operations left without their end recorded', () => {
  let db: Db;
  let dataDir: string;
  let rt: BackupRuntime;
  const abort = new AbortController();

  before(async () => {
    db = await openTestDb();
    dataDir = await mkdtemp(join(tmpdir(), 'floe-left-'));
    const host = uniqueName('backup-host');
    const config = testConfig({ FLOE_DATA_DIR: dataDir, FLOE_HOST: host });
    const log = getLogger('test');
    rt = { config, db, repositories: new RepositorySet(config.backup, db, { host, log }), host, signal: abort.signal, running: new RunningOperations(), log };
  });
  after(async () => {
    await rt.repositories.close();
    await db.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function insertBackup(ctx: RequestContext, values: Partial<NewBackup> & Pick<NewBackup, 'volume_id' | 'status'>): Promise<string> {
    const id = newUuid<string>();
    await db.insertInto('backups').values({
      id, project_id: ctx.projectId, user_id: ctx.userId, name: null, description: null, container: rt.config.backup.defaultRepository,
      fail_reason: null, size: 1, parent_id: null, snapshot_id: null, data_timestamp: new Date(), availability_zone: 'nova', metadata: '{}',
      progress_done_bytes: 0, progress_total_bytes: 0, host: rt.host, restore_volume_id: null, previous_volume_status: null,
      verify_status: null, verify_result: null, verified_at: null, created_at: new Date(), updated_at: null, deleted_at: null,
      ...values,
    }).execute();
    await db.insertInto('backup_copies').values({
      backup_id: id, repository: rt.config.backup.defaultRepository, status: values.status === 'creating' ? 'creating' : 'available',
      fail_reason: null, stored_bytes: 0, created_at: new Date(), updated_at: null,
    }).execute();
    return id;
  }

  const readBackup = (id: string) => db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('ends the backups and restores of this worker that no operation runs, and leaves the others alone', async () => {
    const ctx = userContext();
    const leftVolume = await insertVolume(db, ctx, { status: 'backing-up', previous_status: 'in-use' });
    const leftBackup = await insertBackup(ctx, { volume_id: leftVolume, status: 'creating' });
    const source = await insertVolume(db, ctx, { status: 'available' });
    const target = await insertVolume(db, ctx, { status: 'restoring-backup', previous_status: 'available' });
    const leftRestore = await insertBackup(ctx, { volume_id: source, status: 'restoring', restore_volume_id: target });
    const runningVolume = await insertVolume(db, ctx, { status: 'backing-up', previous_status: 'available' });
    const runningBackup = await insertBackup(ctx, { volume_id: runningVolume, status: 'creating' });
    const otherWorkers = await insertBackup(ctx, { volume_id: await insertVolume(db, ctx, { status: 'backing-up' }), status: 'creating', host: 'another-host' });

    let finish!: () => void;
    const running = rt.running.run(runningBackup, () => new Promise<void>((resolve) => (finish = resolve)));
    try {
      await resolveOrphaned(rt);
    } finally {
      finish();
      await running;
    }

    const backup = await readBackup(leftBackup);
    expect([backup.status, backup.fail_reason]).to.deep.equal(['error', UNRECORDED_BACKUP_REASON]);
    expect((await readVolume(db, leftVolume)).status).to.equal('in-use');
    const copy = await db.selectFrom('backup_copies').selectAll().where('backup_id', '=', leftBackup).executeTakeFirstOrThrow();
    expect([copy.status, copy.fail_reason]).to.deep.equal(['error', UNRECORDED_BACKUP_REASON]);
    const restore = await readBackup(leftRestore);
    expect([restore.status, restore.fail_reason]).to.deep.equal(['available', UNRECORDED_RESTORE_REASON]);
    const restored = await readVolume(db, target);
    expect([restored.status, restored.status_reason]).to.deep.equal(['error_restoring', UNRECORDED_RESTORE_REASON]);
    expect((await readBackup(runningBackup)).status).to.equal('creating');
    expect((await readVolume(db, runningVolume)).status).to.equal('backing-up');
    expect((await readBackup(otherWorkers)).status).to.equal('creating');
  });

  it('records an end once the database is back, trying again while it cannot be reached', async function () {
    this.timeout(20_000);
    const ctx = userContext();
    const volume = await insertVolume(db, ctx, { status: 'backing-up', previous_status: 'available' });
    const backupId = await insertBackup(ctx, { volume_id: volume, status: 'creating' });
    const { relay, url } = await relayToTestDatabase();
    const throughRelay = openDatabase(url, 2);
    try {
      await relay.down();
      let tries = 0;
      const recorded = untilDatabaseAnswers(rt, { backup_id: backupId }, () => {
        tries += 1;
        return failBackup(throughRelay, backupId, 'the volume could not be read', { host: rt.host });
      });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(tries, 'tries while the database is unreachable').to.be.at.least(2);
      await relay.up();
      expect((await recorded)?.status).to.equal('error');
      expect((await readBackup(backupId)).fail_reason).to.equal('the volume could not be read');
      expect((await readVolume(db, volume)).status).to.equal('available');
    } finally {
      await throughRelay.destroy();
      await relay.down();
    }
  });

  it('stops waiting for the database when the worker stops, after one more try', async () => {
    const stopping = new AbortController();
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    let tries = 0;
    const waiting = untilDatabaseAnswers({ ...rt, signal: stopping.signal }, { backup_id: 'b1' }, async () => {
      tries += 1;
      throw unreachable;
    });
    setTimeout(() => stopping.abort(new Error('The backup worker is stopping.')), 100);
    expect(await outcomeWithin(waiting, 2_000)).to.equal(unreachable);
    expect(tries).to.equal(2);
  });

  it('still runs the first try when the worker is stopping (an operation records how the stop ended it)', async () => {
    const stopping = new AbortController();
    stopping.abort(new Error('The backup worker is stopping.'));
    expect(await untilDatabaseAnswers({ ...rt, signal: stopping.signal }, { backup_id: 'b1' }, async () => 'recorded')).to.equal('recorded');
  });

  it('does not try again a write the database refused', async () => {
    let tries = 0;
    const refused = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const outcome = await untilDatabaseAnswers(rt, { backup_id: 'b1' }, async () => {
      tries += 1;
      throw refused;
    }).catch((err: unknown) => err);
    expect(outcome).to.equal(refused);
    expect(tries).to.equal(1);
  });
});
