import { expect } from 'chai';
import { ApiClient, cleanup, startTestApi, type ApiResponse, type TestApi } from './harness.js';

const REQUEST_ID_RE = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectRequestIds(res: ApiResponse): string {
  const id = res.headers.get('x-openstack-request-id');
  expect(id).to.match(REQUEST_ID_RE);
  expect(res.headers.get('x-compute-request-id')).to.equal(id);
  return id as string;
}

describe('API protocol: versions, microversions, request ids, auth, project scope', () => {
  let api: TestApi;
  let root: ApiClient;

  before(async () => {
    api = await startTestApi();
    root = new ApiClient(api.url, `u1:${api.project}`);
  });
  after(async () => {
    await cleanup(api.db, [api.project]);
    await api.stop();
  });

  describe('version documents', () => {
    it('GET / answers 300 with Cinder\'s document, without auth', async () => {
      const res = await root.get('/', { token: null, version: '3.70' });
      expect(res.status).to.equal(300);
      const [v3] = res.body.versions;
      expect(v3).to.include({ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0' });
      expect(v3.links).to.deep.include({ rel: 'self', href: `${api.url}/v3/` });
      expectRequestIds(res);
    });

    it('GET /v3 and /v3/ answer 200 without auth', async () => {
      for (const path of ['/v3', '/v3/']) {
        const res = await root.get(path, { token: null });
        expect(res.status, path).to.equal(200);
        expect(res.body.versions[0].version).to.equal('3.70');
      }
    });
  });

  describe('microversion negotiation', () => {
    it('defaults to 3.0 and echoes the negotiated version with Vary', async () => {
      const plain = await new ApiClient(api.client.baseUrl, api.client.token).get('/volumes');
      expect(plain.status).to.equal(200);
      expect(plain.headers.get('openstack-api-version')).to.equal('volume 3.0');
      expect(plain.headers.get('vary')).to.match(/OpenStack-API-Version/i);
    });

    it('accepts a version in range and "latest"', async () => {
      const res = await api.client.get('/volumes', { version: '3.27' });
      expect(res.headers.get('openstack-api-version')).to.equal('volume 3.27');
      const latest = await api.client.get('/volumes', { version: 'latest' });
      expect(latest.headers.get('openstack-api-version')).to.equal('volume 3.70');
    });

    it('answers 406 computeFault for a version out of range', async () => {
      const res = await api.client.get('/volumes', { version: '3.99' });
      expect(res.status).to.equal(406);
      expect(res.body).to.deep.equal({
        computeFault: { code: 406, message: 'Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.70.' },
      });
      expectRequestIds(res);
    });

    it('answers 400 for an unparsable version', async () => {
      const res = await api.client.get('/volumes', { version: '3.x' });
      expect(res.status).to.equal(400);
      expect(res.body.badRequest.message).to.match(/3\.x is of invalid format/);
    });
  });

  describe('request ids', () => {
    it('sends a fresh id on success, error and unknown routes, even when the caller sends one', async () => {
      const inbound = 'req-00000000-0000-4000-8000-000000000001';
      const ok = await api.client.get('/volumes', { headers: { 'X-OpenStack-Request-ID': inbound } });
      const okId = expectRequestIds(ok);
      expect(okId).to.not.equal(inbound);
      const notFound = await api.client.get('/volumes/00000000-0000-4000-8000-000000000000');
      expect(notFound.status).to.equal(404);
      expect(expectRequestIds(notFound)).to.not.equal(okId);
      const unknown = await root.get('/no/such/route');
      expect(unknown.status).to.equal(404);
      expect(unknown.body).to.deep.equal({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
      expectRequestIds(unknown);
    });
  });

  describe('noauth', () => {
    it('answers 401 without a token', async () => {
      const res = await api.client.get('/volumes', { token: null });
      expect(res.status).to.equal(401);
      expect(res.body.unauthorized.code).to.equal(401);
      expectRequestIds(res);
    });

    it('accepts the x-user-id / x-project-id headers without a token', async () => {
      const res = await api.client.get('/volumes', {
        token: null,
        headers: { 'x-user-id': 'u1', 'x-project-id': api.project },
      });
      expect(res.status).to.equal(200);
    });

    it('treats a token without ":" as both user and project', async () => {
      const res = await new ApiClient(`${api.url}/v3/${api.project}`, api.project).get('/volumes');
      expect(res.status).to.equal(200);
    });
  });

  describe('project scope', () => {
    it('serves the project-less form with the token\'s project', async () => {
      const created = await api.client.post('/volumes', { volume: { size: 1, name: 'scoped' } });
      expect(created.status).to.equal(202);
      const projectLess = new ApiClient(`${api.url}/v3`, api.client.token, '3.70');
      const shown = await projectLess.get(`/volumes/${created.body.volume.id}`);
      expect(shown.status).to.equal(200);
      expect(shown.body.volume.links[0].href).to.equal(`${api.url}/v3/volumes/${created.body.volume.id}`);
      const listed = await projectLess.get('/volumes/detail?name=scoped');
      expect(listed.body.volumes.map((v: { id: string }) => v.id)).to.deep.equal([created.body.volume.id]);
    });

    it('answers 400 "Malformed request url" for another project in the URL', async () => {
      const res = await new ApiClient(`${api.url}/v3/other-project`, api.client.token).get('/volumes');
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ badRequest: { code: 400, message: 'Malformed request url' } });
    });
  });
});
