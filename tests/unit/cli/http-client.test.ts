import { expect } from 'chai';
import { ApiError, EndpointUnreachableError, UnexpectedReplyError } from '../../../cli/errors.js';
import { FloeApi } from '../../../cli/floe-api.js';
import { API_VERSION_HEADER, HttpClient, faultFromBody } from '../../../cli/http-client.js';
import { HttpStub, closedPort, volumeFixture } from './http-stub.js';

describe('cli http client', () => {
  let stub: HttpStub;
  before(async () => {
    stub = await HttpStub.start();
  });
  after(async () => {
    await stub.close();
  });

  function client(options: { requestTimeoutMs?: number } = {}): HttpClient {
    return new HttpClient({ endpoint: `${stub.url}/`, project: 'p1', user: 'u1' }, options);
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error('expected a rejection');
  }

  it('sends the noauth token and the microversion to {endpoint}/v3/{project}', async () => {
    stub.reset(() => ({ status: 200, body: { volumes: [] } }));
    await client().get('/volumes/detail', { name: 'a b', status: undefined });
    const [req] = stub.requests;
    expect(req.path).to.equal('/v3/p1/volumes/detail');
    expect(req.query.get('name')).to.equal('a b');
    expect(req.query.has('status')).to.equal(false);
    expect(req.headers['x-auth-token']).to.equal('u1:p1');
    expect(req.headers['openstack-api-version']).to.equal(API_VERSION_HEADER);
    expect(req.headers.accept).to.equal('application/json');
  });

  it('posts JSON and accepts an empty 202 body', async () => {
    stub.reset(() => ({ status: 202 }));
    const body = await client().post('/volumes/x/action', { 'os-extend': { new_size: 2 } });
    expect(body).to.equal(undefined);
    expect(stub.requests[0].headers['content-type']).to.equal('application/json');
    expect(stub.requests[0].body).to.deep.equal({ 'os-extend': { new_size: 2 } });
  });

  it('turns a Cinder fault into an ApiError with status, message and request id', async () => {
    stub.reset(() => ({
      status: 400,
      body: { badRequest: { code: 400, message: 'New size must be greater.' } },
      headers: { 'x-openstack-request-id': 'req-abc' },
    }));
    const err = await rejection(client().post('/volumes/x/action', {}));
    expect(err).to.be.instanceOf(ApiError);
    const api = err as ApiError;
    expect([api.status, api.message, api.faultName, api.requestId]).to.deep.equal([
      400, 'New size must be greater.', 'badRequest', 'req-abc',
    ]);
  });

  it('falls back to the reason phrase when the error body is not a fault', async () => {
    stub.reset(() => ({ status: 503, raw: '<html>busy</html>' }));
    const err = (await rejection(client().get('/volumes/detail'))) as ApiError;
    expect(err.status).to.equal(503);
    expect(err.message).to.equal('Service Unavailable');
    expect(err.requestId).to.equal(undefined);
  });

  it('reads a top-level message or the first key of a fault', () => {
    expect(faultFromBody({ message: 'plain' })).to.deep.equal({ message: 'plain' });
    expect(faultFromBody({ itemNotFound: { code: 404, message: 'gone' } })).to.deep.equal({
      faultName: 'itemNotFound',
      message: 'gone',
    });
    expect(faultFromBody('text')).to.deep.equal({});
    expect(faultFromBody({ other: 1 })).to.deep.equal({});
  });

  it('reports a refused connection as EndpointUnreachableError naming the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const err = await rejection(new HttpClient({ endpoint, project: 'p', user: 'u' }).get('/volumes'));
    expect(err).to.be.instanceOf(EndpointUnreachableError);
    expect((err as EndpointUnreachableError).url).to.equal(endpoint);
    expect((err as Error).message).to.contain(endpoint).and.contain('connection refused');
  });

  it('gives up on an endpoint that never answers', async () => {
    stub.reset(() => ({ status: 200, hang: true }));
    const err = await rejection(client({ requestTimeoutMs: 100 }).get('/volumes'));
    expect(err).to.be.instanceOf(EndpointUnreachableError);
    expect((err as Error).message).to.contain('no answer within 0.1 s');
  });

  describe('FloeApi', () => {
    const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];
    function pagedVolumes(req: { query: URLSearchParams }) {
      const marker = req.query.get('marker');
      const start = marker === null ? 0 : ids.indexOf(marker) + 1;
      const page = ids.slice(start, start + 2).map((id) => volumeFixture({ id }));
      const last = page.at(-1)?.id as string;
      const links = page.length === 2 ? [{ rel: 'next', href: `http://elsewhere/v3/p1/volumes/detail?limit=2&marker=${last}` }] : [];
      return { status: 200, body: { volumes: page, volumes_links: links } };
    }

    it('follows volumes_links to the last page, on our own endpoint', async () => {
      stub.reset(pagedVolumes);
      const volumes = await new FloeApi(client()).listVolumes({ status: 'available' });
      expect(volumes.map((v) => v.id)).to.deep.equal(ids);
      expect(stub.requests.map((r) => r.query.get('marker'))).to.deep.equal([null, 'a2', 'a4']);
      expect(stub.requests[0].query.get('status')).to.equal('available');
    });

    it('stops once it has --limit volumes', async () => {
      stub.reset(pagedVolumes);
      const volumes = await new FloeApi(client()).listVolumes({ limit: 3 });
      expect(volumes.map((v) => v.id)).to.deep.equal(['a1', 'a2', 'a3']);
      expect(stub.requests).to.have.length(2);
      expect(stub.requests[0].query.get('limit')).to.equal('3');
    });

    it('stops when a server offers the same page again', async () => {
      stub.reset(() => ({
        status: 200,
        body: { volumes: [volumeFixture()], volumes_links: [{ rel: 'next', href: '/v3/p1/volumes/detail?marker=x' }] },
      }));
      const volumes = await new FloeApi(client()).listVolumes();
      expect(volumes).to.have.length(2);
      expect(stub.requests).to.have.length(2);
    });

    it('answers undefined for a volume that is gone, and rethrows other errors', async () => {
      stub.reset(() => ({ status: 404, body: { itemNotFound: { code: 404, message: 'Volume x could not be found.' } } }));
      expect(await new FloeApi(client()).getVolumeIfExists('x')).to.equal(undefined);
      stub.reset(() => ({ status: 500, body: { computeFault: { code: 500, message: 'boom' } } }));
      expect(await rejection(new FloeApi(client()).getVolumeIfExists('x'))).to.be.instanceOf(ApiError);
    });

    it('rejects a reply without the promised member', async () => {
      stub.reset(() => ({ status: 202, body: { something: {} } }));
      const err = await rejection(new FloeApi(client()).createVolume({ size: 1 }));
      expect(err).to.be.instanceOf(UnexpectedReplyError);
      expect((err as Error).message).to.contain("no 'volume'");
    });
  });
});
