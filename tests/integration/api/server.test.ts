import { expect } from 'chai';
import { ConfigError } from '../../../common/config.js';
import type { Db } from '../../../common/db/database.js';
import { configureLogging } from '../../../common/logger.js';
import { startApiService } from '../../../api/server.js';
import { openDatabase } from '../../../common/db/database.js';
import { openTestDb, TEST_DATABASE_URL, testConfig } from '../../support/env.js';
import { ApiClient, RecordingOutbox } from './harness.js';

describe('API service lifecycle', () => {
  let db: Db;

  before(async () => {
    const { log } = testConfig();
    configureLogging(log.level, log.format);
    db = await openTestDb();
  });
  after(async () => {
    await db.destroy();
  });

  it('refuses noauth on a non-loopback address unless told to accept it', async () => {
    const config = testConfig({ FLOE_API_HOST: '0.0.0.0', FLOE_API_PORT: '0' });
    let error: unknown;
    try {
      await startApiService({ config, db, outbox: new RecordingOutbox() });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.contain('FLOE_NOAUTH_ANY_BIND');
    const allowed = testConfig({ FLOE_API_HOST: '0.0.0.0', FLOE_API_PORT: '0', FLOE_NOAUTH_ANY_BIND: 'true' });
    const service = await startApiService({ config: allowed, db, outbox: new RecordingOutbox() });
    await service.stop();
  });

  it('stops with a keep-alive connection open and then refuses connections', async () => {
    const config = testConfig({ FLOE_API_HOST: '127.0.0.1', FLOE_API_PORT: '0' });
    const service = await startApiService({ config, db, outbox: new RecordingOutbox() });
    expect(service.url).to.equal(`http://127.0.0.1:${service.port}`);
    const res = await fetch(`${service.url}/`, { headers: { Connection: 'keep-alive' } });
    expect(res.status).to.equal(300);
    await res.text();
    await service.stop();
    let refused = false;
    await fetch(`${service.url}/`).catch(() => {
      refused = true;
    });
    expect(refused).to.equal(true);
  });

  it('answers a request whose database cannot be reached with 503 serviceUnavailable', async () => {
    // Nothing listens on port 1: every query fails with a connection error.
    const unreachable = openDatabase('postgres://floe:floe@127.0.0.1:1/floe_test', 1);
    const config = testConfig({ FLOE_API_HOST: '127.0.0.1', FLOE_API_PORT: '0' });
    const service = await startApiService({ config, db: unreachable, outbox: new RecordingOutbox() });
    try {
      const res = await new ApiClient(`${service.url}/v3/p1`, 'u1:p1').get('/volumes');
      expect(res.status).to.equal(503);
      expect(res.body).to.deep.equal({
        serviceUnavailable: { code: 503, message: 'The database is unavailable; the request was not carried out. Try again later.' },
      });
    } finally {
      await service.stop();
      await unreachable.destroy();
    }
  });

  it('answers unexpected failures with a generic 500 computeFault that leaks no detail', async () => {
    // A database that does not exist: every query fails with an error the API does not expect.
    const broken = openDatabase(TEST_DATABASE_URL.replace(/\/[^/]*$/, '/floe_no_such_database'), 1);
    const config = testConfig({ FLOE_API_HOST: '127.0.0.1', FLOE_API_PORT: '0' });
    const service = await startApiService({ config, db: broken, outbox: new RecordingOutbox() });
    try {
      const client = new ApiClient(`${service.url}/v3/p1`, 'u1:p1');
      const res = await client.get('/volumes');
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({
        computeFault: {
          code: 500,
          message: 'The server has either erred or is incapable of performing the requested operation.',
        },
      });
      expect(res.headers.get('x-compute-request-id')).to.match(/^req-/);
    } finally {
      await service.stop();
      await broken.destroy();
    }
  });
});
