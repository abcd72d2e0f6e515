import { expect } from 'chai';
import { ApiClient, cleanup, makeAvailable, startTestApi, uniqueName, type Json, type TestApi } from './harness.js';

const ids = (res: Json): string[] => res.body.volumes.map((v: Json) => v.id);

/** Follows `volumes_links` next hrefs verbatim, as cinderclient does. */
async function allPages(client: ApiClient, path: string): Promise<{ ids: string[]; pages: number }> {
  const collected: string[] = [];
  let url: string | undefined = `${client.baseUrl}${path}`;
  let pages = 0;
  while (url !== undefined && pages < 10) {
    const res = await client.request('GET', url.slice(client.baseUrl.length));
    expect(res.status).to.equal(200);
    collected.push(...ids(res));
    pages += 1;
    url = res.body.volumes_links?.find((l: Json) => l.rel === 'next')?.href;
  }
  return { ids: collected, pages };
}

describe('API volume lists: pagination, sort, filters, counts', () => {
  let api: TestApi;
  let otherProject: string;
  /** Created in this order, sizes 1..5, names p-0..p-4. */
  const created: string[] = [];

  before(async () => {
    api = await startTestApi();
    otherProject = uniqueName('other');
    for (let i = 0; i < 5; i++) {
      const res = await api.client.post('/volumes', { volume: { size: i + 1, name: `p-${i}` } });
      created.push(res.body.volume.id);
    }
    await makeAvailable(api.db, created[2]);
  });
  after(async () => {
    await cleanup(api.db, [api.project, otherProject]);
    await api.stop();
  });

  it('lists newest first by default, summary and detail', async () => {
    const detail = await api.client.get('/volumes/detail');
    expect(ids(detail)).to.deep.equal([...created].reverse());
    expect(detail.body).to.not.have.property('volumes_links');
    const summary = await api.client.get('/volumes');
    expect(summary.body.volumes[0]).to.have.all.keys('id', 'name', 'links');
  });

  it('pages with limit and marker, with an absolute next link only after full pages', async () => {
    const first = await api.client.get('/volumes/detail?limit=2');
    expect(ids(first)).to.deep.equal([created[4], created[3]]);
    const [next] = first.body.volumes_links;
    expect(next.rel).to.equal('next');
    expect(next.href).to.equal(`${api.client.baseUrl}/volumes/detail?limit=2&marker=${created[3]}`);
    const walked = await allPages(api.client, '/volumes/detail?limit=2');
    expect(walked.ids).to.deep.equal([...created].reverse());
    expect(walked.pages).to.equal(3);
  });

  it('pages in any sort order without losing or repeating items', async () => {
    const walked = await allPages(api.client, '/volumes/detail?limit=2&sort=name:asc');
    expect(walked.ids).to.deep.equal(created);
  });

  it('sorts by the sort parameter and by legacy sort_key/sort_dir', async () => {
    expect(ids(await api.client.get('/volumes/detail?sort=size:asc'))).to.deep.equal(created);
    expect(ids(await api.client.get('/volumes/detail?sort=display_name%3Adesc'))).to.deep.equal([...created].reverse());
    expect(ids(await api.client.get('/volumes/detail?sort_key=size&sort_dir=asc'))).to.deep.equal(created);
    expect(ids(await api.client.get('/volumes/detail?sort=status:asc,size:desc'))[0]).to.equal(created[2]);
  });

  it('refuses bad sort, limit and marker values', async () => {
    for (const query of ['sort=colour:asc', 'sort=size:up', 'sort=size&sort_key=name', 'limit=abc', 'limit=-1']) {
      const res = await api.client.get(`/volumes/detail?${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.badRequest.message, query).to.be.a('string');
    }
    const marker = await api.client.get(`/volumes/detail?marker=${crypto.randomUUID()}`);
    expect(marker.status).to.equal(404);
    expect(marker.body.itemNotFound.message).to.match(/^Marker .* could not be found\.$/);
  });

  it('filters by name, display_name and status', async () => {
    expect(ids(await api.client.get('/volumes/detail?name=p-3'))).to.deep.equal([created[3]]);
    expect(ids(await api.client.get('/volumes/detail?display_name=p-1'))).to.deep.equal([created[1]]);
    expect(ids(await api.client.get('/volumes/detail?status=available'))).to.deep.equal([created[2]]);
    expect(ids(await api.client.get('/volumes/detail?status=no-such-status'))).to.deep.equal([]);
  });

  it('adds count with with_count=True, whatever the page size', async () => {
    const res = await api.client.get('/volumes/detail?limit=2&with_count=True');
    expect(res.body.count).to.equal(5);
    expect(res.body.volumes).to.have.length(2);
    const filtered = await api.client.get('/volumes/detail?with_count=true&status=creating');
    expect(filtered.body.count).to.equal(4);
    expect((await api.client.get('/volumes/detail')).body).to.not.have.property('count');
  });

  it('honours all_tenants for admins only and ignores it for others', async () => {
    const name = uniqueName('foreign');
    const foreign = await api.clientFor('u2', otherProject).post('/volumes', { volume: { size: 1, name } });
    expect(foreign.status).to.equal(202);
    const asUser = await api.client.get(`/volumes/detail?all_tenants=1&name=${name}`);
    expect(asUser.status).to.equal(200);
    expect(ids(asUser)).to.deep.equal([]);
    const asAdmin = await api.admin.get(`/volumes/detail?all_tenants=1&name=${name}`);
    expect(ids(asAdmin)).to.deep.equal([foreign.body.volume.id]);
    expect(asAdmin.body.volumes[0]['os-vol-tenant-attr:tenant_id']).to.equal(otherProject);
    expect(ids(await api.admin.get(`/volumes/detail?name=${name}`))).to.deep.equal([]);
  });

  it('caps pages at the configured maximum', async () => {
    const small = await startTestApi({ FLOE_API_MAX_LIMIT: '2' });
    try {
      const capped = new ApiClient(`${small.url}/v3/${api.project}`, api.client.token, '3.70');
      const res = await capped.get('/volumes/detail?limit=10');
      expect(res.body.volumes).to.have.length(2);
      expect(res.body.volumes_links[0].href).to.contain(`marker=${created[3]}`);
      const walked = await allPages(capped, '/volumes/detail');
      expect(walked.ids).to.deep.equal([...created].reverse());
    } finally {
      await small.stop();
    }
  });
});
