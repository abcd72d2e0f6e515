import { expect } from 'chai';
import type { Db } from '../../../common/db/database.js';
import { failVolume } from '../../../common/volume-failure.js';
import { openTestDb } from '../../support/env.js';
import { insertVolume, messagesOf, readVolume, userContext } from '../../support/volume-fixture.js';

describe('failVolume (a request that could never be delivered)', () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(async () => db.destroy());

  it('moves each transitional status to its error status, with the reason and a user message', async () => {
    const ctx = userContext();
    const cases = [
      ['creating', 'error'],
      ['extending', 'error_extending'],
      ['deleting', 'error_deleting'],
    ] as const;
    for (const [from, to] of cases) {
      const id = await insertVolume(db, ctx, { status: from });
      const row = await failVolume(db, id, 'the message bus was unreachable', ctx);
      expect(row?.status).to.equal(to);
      expect((await readVolume(db, id)).status_reason).to.equal('the message bus was unreachable');
    }
    const messages = await messagesOf(db, ctx);
    expect(messages).to.have.length(3);
    expect(messages.every((m) => m.user_message === 'the message bus was unreachable')).to.equal(true);
  });

  it('leaves a volume that is not in a transitional status alone', async () => {
    const ctx = userContext();
    const id = await insertVolume(db, ctx, { status: 'available' });
    expect(await failVolume(db, id, 'too late', ctx)).to.equal(undefined);
    expect((await readVolume(db, id)).status).to.equal('available');
    expect(await messagesOf(db, ctx)).to.have.length(0);
  });
});
