import { expect } from 'chai';
import type { Db } from '../../../common/db/database.js';
import { InvalidStateError, NotFoundError } from '../../../common/errors.js';
import { newUuid } from '../../../common/ids.js';
import { transitionVolume } from '../../../common/status.js';
import { openTestDb } from '../../support/env.js';
import { insertVolume, readVolume, userContext } from '../../support/volume-fixture.js';

describe('transitionVolume: status guards as one conditional UPDATE', () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(async () => db.destroy());

  it('moves a volume along an allowed transition and writes the extra columns with it', async () => {
    const id = await insertVolume(db, userContext(), { status: 'available', size: 1 });
    const row = await transitionVolume(db, id, 'extend');
    expect(row.status).to.equal('extending');
    const done = await transitionVolume(db, id, 'extended', { set: { size: 4 } });
    expect(done.status).to.equal('available');
    expect(done.size).to.equal(4);
    expect(done.updated_at).to.be.instanceOf(Date);
  });

  it('refuses a transition from the wrong status, naming the current one, and changes nothing', async () => {
    const id = await insertVolume(db, userContext(), { status: 'creating' });
    let error: unknown;
    try {
      await transitionVolume(db, id, 'extend');
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(InvalidStateError);
    expect((error as Error).message).to.include('creating').and.include('available');
    expect((await readVolume(db, id)).status).to.equal('creating');
  });

  it('lets only one of two concurrent transitions win', async () => {
    const id = await insertVolume(db, userContext(), { status: 'available' });
    const results = await Promise.allSettled([transitionVolume(db, id, 'extend'), transitionVolume(db, id, 'delete')]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    expect(results.filter((r) => r.status === 'rejected')).to.have.length(1);
  });

  it('guards on the host when asked to', async () => {
    const id = await insertVolume(db, userContext(), { status: 'creating', host: 'a@b#b' });
    await transitionVolume(db, id, 'created', { host: 'other@b#b' }).then(
      () => expect.fail('transition on a foreign host'),
      (err: unknown) => expect(err).to.be.instanceOf(InvalidStateError),
    );
    expect((await transitionVolume(db, id, 'created', { host: 'a@b#b' })).status).to.equal('available');
  });

  it('reports a missing volume as not found', async () => {
    await transitionVolume(db, newUuid(), 'delete').then(
      () => expect.fail('transition of a missing volume'),
      (err: unknown) => expect(err).to.be.instanceOf(NotFoundError),
    );
  });
});
