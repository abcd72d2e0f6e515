import { expect } from 'chai';
import { InvalidInputError } from '../../../common/errors.js';
import { noauthCredentials } from '../../../api/middleware/auth.js';
import { splitProject } from '../../../api/middleware/project-scope.js';
import { parseBool } from '../../../api/http/query.js';
import { formatTimestamp } from '../../../api/http/timestamps.js';
import { isLoopback } from '../../../api/server.js';
import { parseIsPublic } from '../../../api/volume-types/schema.js';

describe('api request parsing', () => {
  it('reads noauth tokens as Cinder does', () => {
    expect(noauthCredentials('u1:p1')).to.deep.equal({ userId: 'u1', projectId: 'p1' });
    expect(noauthCredentials('notused')).to.deep.equal({ userId: 'notused', projectId: 'notused' });
    expect(noauthCredentials('u1:')).to.deep.equal({ userId: 'u1', projectId: 'u1' });
    expect(noauthCredentials(undefined, 'u1', 'p1')).to.deep.equal({ userId: 'u1', projectId: 'p1' });
    expect(noauthCredentials(undefined, undefined, 'p1')).to.deep.equal({ userId: 'p1', projectId: 'p1' });
    expect(noauthCredentials(undefined)).to.equal(undefined);
    expect(noauthCredentials(':p1')).to.equal(undefined);
  });

  it('tells the project segment from a collection', () => {
    expect(splitProject('/p1/volumes/detail?limit=1')).to.deep.equal({ projectId: 'p1', url: '/volumes/detail?limit=1' });
    expect(splitProject('/volumes/detail')).to.deep.equal({ url: '/volumes/detail' });
    expect(splitProject('/os-services')).to.deep.equal({ url: '/os-services' });
    expect(splitProject('/p1')).to.deep.equal({ url: '/p1' });
  });

  it('reads oslo-style booleans strictly', () => {
    expect(parseBool('x', 'True')).to.equal(true);
    expect(parseBool('x', '1')).to.equal(true);
    expect(parseBool('x', 'false')).to.equal(false);
    expect(() => parseBool('x', 'maybe')).to.throw(InvalidInputError);
  });

  it('reads is_public as Cinder does', () => {
    expect(parseIsPublic(undefined)).to.equal(true);
    expect(parseIsPublic('None')).to.equal(undefined);
    expect(parseIsPublic('false')).to.equal(false);
    expect(() => parseIsPublic('perhaps')).to.throw('Invalid is_public filter [perhaps]');
  });

  it('formats timestamps like Cinder (microseconds, no zone)', () => {
    expect(formatTimestamp(new Date('2026-11-21T23:10:29.131Z'))).to.equal('2026-11-21T23:10:29.131000');
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).to.equal(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1']) expect(isLoopback(host), host).to.equal(false);
  });
});
