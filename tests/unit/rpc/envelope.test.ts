import { expect } from 'chai';
import { DriverError, InvalidStateError, NotFoundError, RpcRemoteError } from '../../../common/errors.js';
import { backoffMs } from '../../../rpc/backoff.js';
import {
  decodeEnvelope, encodeEnvelope, encodeReply, errorReply, makeEnvelope, resultReply, unpackReply,
} from '../../../rpc/envelope.js';
import { isPermanentFailure, MalformedMessageError, UnknownMethodError } from '../../../rpc/errors.js';

const context = { requestId: 'req-1', projectId: 'p', userId: 'u', roles: ['member'] };

describe('rpc/envelope', () => {
  it('round-trips an envelope and keeps only the context fields', () => {
    const envelope = makeEnvelope('createVolume', { volumeId: 'v' }, { ...context, extra: 'dropped' } as typeof context, '1.3');

    const decoded = decodeEnvelope(encodeEnvelope(envelope));

    expect(decoded).to.deep.equal(envelope);
    expect(decoded.context).to.deep.equal(context);
    expect(decoded.version).to.equal('1.3');
    expect(Number.isNaN(Date.parse(decoded.sent_at))).to.equal(false);
  });

  it('stamps the default version when the sender names none', () => {
    expect(makeEnvelope('m', {}, context).version).to.equal('1.0');
  });

  it('rejects content that is not JSON or lacks the context', () => {
    expect(() => decodeEnvelope(Buffer.from('nope'))).to.throw(MalformedMessageError, 'not JSON');
    const noContext = Buffer.from(JSON.stringify({ method: 'm', args: {}, version: '1.0', sent_at: 'x' }));
    expect(() => decodeEnvelope(noContext)).to.throw(MalformedMessageError, 'context');
  });

  it('returns a result reply and rethrows an error reply as RpcRemoteError', () => {
    expect(unpackReply(encodeReply(resultReply({ a: 1 })))).to.deep.equal({ a: 1 });

    const remote = () => unpackReply(encodeReply(errorReply(new NotFoundError('Volume', 'v'))));
    expect(remote).to.throw(RpcRemoteError).with.property('code', 'not_found');
    expect(errorReply(new Error('boom'))).to.deep.equal({ ok: false, error: { code: 'internal_error', status: 500, message: 'boom' } });
    expect(() => unpackReply(Buffer.from('{"ok": "maybe"}'))).to.throw(MalformedMessageError);
  });
});

describe('rpc/errors isPermanentFailure', () => {
  it('skips retries for unknown methods and client errors only', () => {
    expect(isPermanentFailure(new UnknownMethodError('t', 'm'))).to.equal(true);
    expect(isPermanentFailure(new InvalidStateError('volume', 'v', 'error', ['available']))).to.equal(true);
    expect(isPermanentFailure(new DriverError('op', 'io'))).to.equal(false);
    expect(isPermanentFailure(new Error('anything'))).to.equal(false);
  });
});

describe('rpc/backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, 100, 1000))).to.deep.equal([100, 200, 400, 800, 1000]);
  });
});
