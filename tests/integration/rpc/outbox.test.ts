import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import type { RequestContext } from '../../../common/context.js';
import { migrateToLatest, openDatabase, type Db } from '../../../common/db/database.js';
import { Outbox, type OutboxResource, type UndeliverableHandler } from '../../../rpc/outbox.js';
import type { RpcTransport } from '../../../rpc/transport.js';
import { TEST_DATABASE_URL } from '../../support/env.js';
import { BrokerProxy, BrokerScratch, deferred, testContext, waitUntil } from './rpc-support.js';

/**
 * The relay takes every due row of the table, so these tests get a database of their own rather
 * than share floe_test's outbox with other suites' relays.
 */
async function withAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function privateDbUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

interface Undeliverable {
  readonly resource: OutboxResource | null;
  readonly reason: string;
  readonly context: RequestContext;
}

describe('rpc/outbox (PostgreSQL + RabbitMQ)', function () {
  this.timeout(20_000);
  const dbName = `floe_test_rpc_outbox_${randomBytes(4).toString('hex')}`;
  let db: Db;
  let scratch: BrokerScratch;
  const outboxes: Outbox[] = [];

  function makeOutbox(transport: RpcTransport, onUndeliverable: UndeliverableHandler = async () => undefined, publishDeadlineMs = 60_000): Outbox {
    const outbox = new Outbox(db, transport, { publishDeadlineMs, pollIntervalMs: 50, onUndeliverable });
    outboxes.push(outbox);
    return outbox;
  }

  async function outboxRows() {
    return db.selectFrom('outbox').selectAll().execute();
  }

  before(async () => {
    await withAdmin(`CREATE DATABASE ${dbName}`);
    db = openDatabase(privateDbUrl(dbName), 5);
    await migrateToLatest(db);
  });
  after(async () => {
    await db?.destroy();
    await withAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });
  beforeEach(() => {
    scratch = new BrokerScratch();
  });
  afterEach(async () => {
    await Promise.all(outboxes.splice(0).map((o) => o.stop()));
    await db.deleteFrom('outbox').execute();
    await scratch.cleanUp();
  });

  it('publishes a cast enqueued in a committed transaction, in its context, and deletes the row', async () => {
    const topic = scratch.queue('outbox');
    const rpc = await scratch.transport();
    const outbox = makeOutbox(rpc);
    const ctx = testContext();
    const received = deferred<{ args: unknown; context: RequestContext; version: string }>();
    await rpc.serve(topic, { createVolume: async (args, context, envelope) => received.resolve({ args, context, version: envelope.version }) });

    await db.transaction().execute((trx) =>
      outbox.enqueueCast(trx, topic, 'createVolume', { volumeId: 'v-1' }, ctx, { resource: { kind: 'volume', id: randomUUID() }, version: '1.1' }),
    );
    outbox.kick();

    expect(await received.promise).to.deep.equal({ args: { volumeId: 'v-1' }, context: ctx, version: '1.1' });
    await waitUntil('the row was deleted', async () => (await outboxRows()).length === 0);
  });

  it('never publishes a cast whose transaction rolled back', async () => {
    const topic = scratch.queue('rollback');
    const rpc = await scratch.transport();
    const outbox = makeOutbox(rpc);
    const received: unknown[] = [];
    await rpc.serve(topic, { work: async (args) => void received.push(args) });

    const rollback = await db
      .transaction()
      .execute(async (trx) => {
        await outbox.enqueueCast(trx, topic, 'work', { which: 'rolled back' }, testContext());
        throw new Error('the request failed after enqueueing');
      })
      .catch((err: unknown) => err);
    expect(rollback).to.have.property('message', 'the request failed after enqueueing');
    await db.transaction().execute((trx) => outbox.enqueueCast(trx, topic, 'work', { which: 'committed' }, testContext()));
    outbox.kick();

    await waitUntil('the committed cast arrived', () => received.length === 1);
    await waitUntil('the outbox is empty', async () => (await outboxRows()).length === 0);
    expect(received).to.deep.equal([{ which: 'committed' }]);
  });

  it('keeps a row while the broker is unreachable and publishes it once the broker is back', async () => {
    const topic = scratch.queue('outage');
    const proxy = await BrokerProxy.start();
    const rpc = await scratch.transport({ callTimeoutMs: 300 }, proxy.url);
    const receiver = await scratch.transport();
    const received = deferred<unknown>();
    await receiver.serve(topic, { work: async (args) => received.resolve(args) });
    await proxy.down();

    const outbox = makeOutbox(rpc);
    await db.transaction().execute((trx) => outbox.enqueueCast(trx, topic, 'work', { n: 1 }, testContext()));
    outbox.start();
    await waitUntil('a publish attempt failed', async () => (await outboxRows())[0]?.last_error !== null);
    const [row] = await outboxRows();
    expect(row.last_error).to.contain('message bus is unavailable');

    await proxy.up();
    expect(await received.promise).to.deep.equal({ n: 1 });
    await waitUntil('the row was deleted', async () => (await outboxRows()).length === 0);
    await proxy.down();
  });

  it('gives up on a row after the deadline and tells onUndeliverable once', async () => {
    const topic = scratch.queue('deadline');
    const rpc = await scratch.transport();
    await rpc.close(); // every cast now fails
    const calls: Undeliverable[] = [];
    const outbox = makeOutbox(rpc, async (resource, reason, context) => void calls.push({ resource, reason, context }), 300);
    const ctx = testContext();
    const volumeId = randomUUID();

    await db.transaction().execute((trx) =>
      outbox.enqueueCast(trx, topic, 'createVolume', { volumeId }, ctx, { resource: { kind: 'volume', id: volumeId } }),
    );
    outbox.start();
    await waitUntil('onUndeliverable was called', () => calls.length > 0);
    await waitUntil('the row was deleted', async () => (await outboxRows()).length === 0);
    await outbox.stop();

    expect(calls).to.have.length(1);
    expect(calls[0].resource).to.deep.equal({ kind: 'volume', id: volumeId });
    expect(calls[0].reason).to.contain(`could not be handed to ${topic} within 0.3 s`).and.contain('closed');
    expect(calls[0].context).to.deep.equal(ctx);
  });

  it('keeps an undeliverable row while onUndeliverable fails, and tells it again', async () => {
    const rpc = await scratch.transport();
    await rpc.close();
    let calls = 0;
    const outbox = makeOutbox(rpc, async () => {
      calls++;
      throw new Error('database busy');
    }, 100);

    await db.transaction().execute((trx) => outbox.enqueueCast(trx, scratch.queue('owner-fails'), 'work', {}, testContext()));
    outbox.start();
    await waitUntil('onUndeliverable was called twice', () => calls >= 2);
    await outbox.stop();

    expect(await outboxRows()).to.have.length(1);
  });

  it('shares the table between relays: every row is published', async () => {
    const topic = scratch.queue('shared');
    const [a, b, receiver] = [await scratch.transport(), await scratch.transport(), await scratch.transport()];
    const first = makeOutbox(a);
    const second = makeOutbox(b);
    const received = new Set<number>();
    await receiver.serve(topic, { work: async (args) => void received.add((args as { n: number }).n) });

    await db.transaction().execute(async (trx) => {
      for (let n = 0; n < 120; n++) await first.enqueueCast(trx, topic, 'work', { n }, testContext());
    });
    first.kick();
    second.kick();

    await waitUntil('every row arrived', () => received.size === 120);
    await waitUntil('the outbox is empty', async () => (await outboxRows()).length === 0);
  });
});
