import { expect } from 'chai';
import { sql } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable, openDatabase } from '../../../common/db/database.js';
import { relayToTestDatabase } from '../../support/env.js';

describe('database connections (openDatabase)', () => {
  it('survives losing a connection that is checked out between two queries, and the next query fails as unavailable', async () => {
    const { relay, url } = await relayToTestDatabase();
    const db = openDatabase(url, 2);
    try {
      const failure = await db.connection().execute(async (connection) => {
        await sql`select 1`.execute(connection);
        // Lost while no query runs on it: pg reports it as an 'error' event of the connection.
        await relay.down();
        await sleep(200);
        return sql`select 1`.execute(connection).then(() => undefined, (err: unknown) => err);
      });
      expect(isDatabaseUnavailable(failure), String(failure)).to.equal(true);
      await relay.up();
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
      expect(rows).to.deep.equal([{ one: 1 }]);
    } finally {
      await db.destroy();
      await relay.down();
    }
  });
});
