import { expect } from 'chai';
import { isDatabaseUnavailable } from '../../../common/db/database.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it('is true for a server that cannot be reached or is going away', () => {
    expect(isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).to.equal(true);
    expect(isDatabaseUnavailable(withCode('read ECONNRESET', 'ECONNRESET'))).to.equal(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).to.equal(true);
    expect(isDatabaseUnavailable(withCode('terminating connection due to administrator command', '57P01'))).to.equal(true);
    expect(isDatabaseUnavailable(withCode('the database system is starting up', '57P03'))).to.equal(true);
    expect(isDatabaseUnavailable(withCode('connection failure', '08006'))).to.equal(true);
  });

  it('is false for a query the database refused, and for anything else', () => {
    expect(isDatabaseUnavailable(withCode('duplicate key value violates unique constraint', '23505'))).to.equal(false);
    expect(isDatabaseUnavailable(withCode('syntax error at or near "SELEC"', '42601'))).to.equal(false);
    expect(isDatabaseUnavailable(new Error('Backup b1 is available, not creating'))).to.equal(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).to.equal(false);
  });
});
