import { expect } from 'chai';
import { EXIT_CODES } from '../../../cli/exit-codes.js';
import { API_VERSION_HEADER } from '../../../cli/http-client.js';
import { runCli } from '../../../cli/program.js';
import { HttpStub, closedPort, testIo, volumeFixture, type SeenRequest, type StubReply } from './http-stub.js';

const ID = '11111111-2222-4333-8444-555555555555';
const ID2 = '99999999-2222-4333-8444-555555555555';

const notFound = (what: string): StubReply => ({
  status: 404,
  body: { itemNotFound: { code: 404, message: `${what} could not be found.` } },
  headers: { 'x-openstack-request-id': 'req-404' },
});

/** A handler from `"METHOD /path"` (after /v3/p1) to replies; a list is served in turn, the last one repeating. */
function routes(table: Record<string, StubReply | StubReply[] | ((req: SeenRequest) => StubReply)>) {
  const served = new Map<string, number>();
  return (req: SeenRequest): StubReply => {
    const key = `${req.method} ${req.path.replace(/^\/v3\/p1/, '')}`;
    const entry = table[key];
    if (entry === undefined) return { status: 599, body: { computeFault: { code: 599, message: `unexpected ${key}` } } };
    if (typeof entry === 'function') return entry(req);
    if (!Array.isArray(entry)) return entry;
    const n = served.get(key) ?? 0;
    served.set(key, n + 1);
    return entry[Math.min(n, entry.length - 1)];
  };
}

const ok = (body: unknown, status = 200): StubReply => ({ status, body });
const volumeReply = (overrides: Record<string, unknown> = {}) => ok({ volume: volumeFixture(overrides) });

describe('cli commands against a local HTTP server', () => {
  let stub: HttpStub;
  before(async () => {
    stub = await HttpStub.start();
  });
  after(async () => {
    await stub.close();
  });

  async function run(...args: string[]) {
    const io = testIo({ FLOE_ENDPOINT: stub.url, FLOE_PROJECT: 'p1', FLOE_USER: 'u1' });
    const code = await runCli(args, io);
    return { code, out: io.stdout.text, err: io.stderr.text };
  }

  describe('name lookup', () => {
    it('fetches a UUID directly', async () => {
      stub.reset(routes({ [`GET /volumes/${ID}`]: volumeReply() }));
      const { code, out } = await run('volume', 'show', ID);
      expect(code).to.equal(EXIT_CODES.ok);
      expect(out).to.contain('vol-a');
      expect(stub.requests).to.have.length(1);
    });

    it('finds a name through detail?name= and keeps exact matches only', async () => {
      stub.reset(routes({
        'GET /volumes/detail': ok({ volumes: [volumeFixture({ name: 'vol-a-2', id: ID2 }), volumeFixture()] }),
      }));
      const { code, out } = await run('--json', 'volume', 'show', 'vol-a');
      expect(code).to.equal(EXIT_CODES.ok);
      expect(JSON.parse(out).id).to.equal(ID);
      expect(stub.requests[0].query.get('name')).to.equal('vol-a');
    });

    it('refuses an ambiguous name (exit 1)', async () => {
      stub.reset(routes({ 'GET /volumes/detail': ok({ volumes: [volumeFixture(), volumeFixture({ id: ID2 })] }) }));
      const { code, err } = await run('volume', 'show', 'vol-a');
      expect(code).to.equal(EXIT_CODES.failed);
      expect(err).to.contain("Multiple volume matches found for 'vol-a'");
    });

    it('falls back from a 404 UUID to the name, then says nothing matched (exit 3)', async () => {
      stub.reset(routes({ [`GET /volumes/${ID}`]: notFound('Volume'), 'GET /volumes/detail': ok({ volumes: [] }) }));
      const { code, err } = await run('volume', 'show', ID);
      expect(code).to.equal(EXIT_CODES.notFound);
      expect(err).to.equal(`floe: No volume with a name or ID of '${ID}' exists.\n`);
      expect(stub.requests.map((r) => r.path)).to.deep.equal([`/v3/p1/volumes/${ID}`, '/v3/p1/volumes/detail']);
    });
  });

  describe('volume create --wait', () => {
    it('prints the volume once available', async () => {
      stub.reset(routes({
        'POST /volumes': ok({ volume: volumeFixture({ status: 'creating' }) }, 202),
        [`GET /volumes/${ID}`]: [volumeReply({ status: 'creating' }), volumeReply({ status: 'available' })],
      }));
      const { code, out, err } = await run('--json', 'volume', 'create', '1', '--name', 'vol-a', '--metadata', 'k=v', '--wait');
      expect(code).to.equal(EXIT_CODES.ok);
      expect(JSON.parse(out).status).to.equal('available');
      expect(stub.requests[0].body).to.deep.equal({ volume: { size: 1, name: 'vol-a', metadata: { k: 'v' } } });
      expect(err).to.contain(`volume ${ID}: creating`).and.contain(`volume ${ID}: available`);
    });

    it('prints the user message of a volume that went to error, and exits 4', async () => {
      stub.reset(routes({
        'POST /volumes': ok({ volume: volumeFixture({ status: 'creating' }) }, 202),
        [`GET /volumes/${ID}`]: [volumeReply({ status: 'creating' }), volumeReply({ status: 'error' })],
        'GET /messages': ok({
          messages: [
            { id: 'm2', user_message: 'schedule allocate volume: Could not find any available weighted backend.', created_at: '2026-01-02T00:00:00', resource_uuid: ID },
            { id: 'm1', user_message: 'older', created_at: '2026-01-01T00:00:00', resource_uuid: ID },
            { id: 'm3', user_message: 'another volume', created_at: '2026-01-03T00:00:00', resource_uuid: ID2 },
          ],
        }),
      }));
      const { code, err } = await run('volume', 'create', '1', '--wait');
      expect(code).to.equal(EXIT_CODES.errorStatus);
      expect(err).to.contain(`floe: volume ${ID} went to status error: schedule allocate volume: Could not find any available weighted backend.`);
      const messages = stub.requests.find((r) => r.path === '/v3/p1/messages');
      expect(messages?.query.get('resource_uuid')).to.equal(ID);
      expect(stub.requests.every((r) => r.headers['openstack-api-version'] === API_VERSION_HEADER)).to.equal(true);
    });

    it('still reports the error status when no message was recorded', async () => {
      stub.reset(routes({
        'POST /volumes': ok({ volume: volumeFixture({ status: 'creating' }) }, 202),
        [`GET /volumes/${ID}`]: volumeReply({ status: 'error' }),
        'GET /messages': ok({ messages: [] }),
      }));
      const { code, err } = await run('volume', 'create', '1', '--wait');
      expect(code).to.equal(EXIT_CODES.errorStatus);
      expect(err).to.contain('went to status error: no reason was recorded');
    });
  });

  it('volume extend --wait times out with exit 6', async () => {
    stub.reset(routes({
      [`GET /volumes/${ID}`]: volumeReply({ status: 'extending' }),
      [`POST /volumes/${ID}/action`]: { status: 202 },
    }));
    const { code, err } = await run('--timeout', '0.1', 'volume', 'extend', ID, '2', '--wait');
    expect(code).to.equal(EXIT_CODES.waitTimeout);
    expect(err).to.contain(`gave up waiting for volume ${ID} after 0.1 s (status extending)`);
    const action = stub.requests.find((r) => r.method === 'POST');
    expect(action?.body).to.deep.equal({ 'os-extend': { new_size: 2 } });
  });

  it('volume extend waits for the new size, not just for available', async () => {
    stub.reset(routes({
      [`GET /volumes/${ID}`]: [volumeReply(), volumeReply(), volumeReply({ size: 2 })],
      [`POST /volumes/${ID}/action`]: { status: 202 },
    }));
    const { code, out } = await run('--json', 'volume', 'extend', ID, '2', '--wait');
    expect(code).to.equal(EXIT_CODES.ok);
    expect(JSON.parse(out).size).to.equal(2);
  });

  it('shows an API refusal with status and request id (exit 1)', async () => {
    stub.reset(routes({
      [`GET /volumes/${ID}`]: volumeReply(),
      [`POST /volumes/${ID}/action`]: {
        status: 400,
        body: { badRequest: { code: 400, message: 'New size for extend must be greater than current size.' } },
        headers: { 'x-openstack-request-id': 'req-7' },
      },
    }));
    const { code, err } = await run('volume', 'extend', ID, '1');
    expect(code).to.equal(EXIT_CODES.failed);
    expect(err).to.equal('floe: New size for extend must be greater than current size. (HTTP 400, request req-7)\n');
  });

  it('volume delete --wait deletes what it can and reports the rest (exit 3)', async () => {
    stub.reset(routes({
      [`GET /volumes/${ID}`]: [volumeReply(), volumeReply({ status: 'deleting' }), notFound('Volume')],
      [`DELETE /volumes/${ID}`]: { status: 202 },
      'GET /volumes/detail': ok({ volumes: [] }),
    }));
    const { code, out, err } = await run('volume', 'delete', ID, 'missing', '--wait');
    expect(code).to.equal(EXIT_CODES.notFound);
    expect(out).to.equal(`Volume ${ID} has been deleted.\n`);
    expect(err).to.contain("floe: volume missing: No volume with a name or ID of 'missing' exists.");
    expect(err).to.contain('floe: 1 of 2 volume(s) could not be deleted');
  });

  it('volume delete --wait exits 4 on error_deleting', async () => {
    stub.reset(routes({
      [`GET /volumes/${ID}`]: [volumeReply(), volumeReply({ status: 'error_deleting' })],
      [`DELETE /volumes/${ID}`]: { status: 202 },
      'GET /messages': ok({ messages: [{ id: 'm', user_message: 'delete volume: disk busy', resource_uuid: ID }] }),
    }));
    const { code, err } = await run('--json', 'volume', 'delete', ID, '--wait');
    expect(code).to.equal(EXIT_CODES.errorStatus);
    expect(err).to.contain('went to status error_deleting: delete volume: disk busy');
  });

  it('volume update merges metadata and sends a PUT', async () => {
    stub.reset(routes({
      [`GET /volumes/${ID}`]: volumeReply({ metadata: { a: '1' } }),
      [`PUT /volumes/${ID}`]: (req) => volumeReply({ metadata: (req.body as { volume: { metadata: object } }).volume.metadata }),
    }));
    const { code, out } = await run('--json', 'volume', 'update', ID, '--metadata', 'b=2', '--description', 'd');
    expect(code).to.equal(EXIT_CODES.ok);
    expect(stub.requests[1].body).to.deep.equal({ volume: { description: 'd', metadata: { a: '1', b: '2' } } });
    expect(JSON.parse(out).metadata).to.deep.equal({ a: '1', b: '2' });
  });

  it('volume list --all-projects --long follows pages and prints a table', async () => {
    stub.reset(routes({
      'GET /volumes/detail': (req) =>
        req.query.get('marker')
          ? ok({ volumes: [volumeFixture({ id: ID2, name: 'second' })] })
          : ok({ volumes: [volumeFixture()], volumes_links: [{ rel: 'next', href: `${stub.url}/v3/p1/volumes/detail?marker=${ID}` }] }),
    }));
    const { code, out } = await run('volume', 'list', '--all-projects', '--long', '--status', 'available');
    expect(code).to.equal(EXIT_CODES.ok);
    expect(out).to.contain('vol-a').and.contain('second').and.contain('Project');
    expect(stub.requests[0].query.get('all_tenants')).to.equal('1');
    expect(stub.requests[0].query.get('status')).to.equal('available');
  });

  it('service list and pool list --detail read their collections', async () => {
    stub.reset(routes({
      'GET /os-services': ok({ services: [{ binary: 'floe-volume', host: 'h@b', zone: 'nova', status: 'enabled', state: 'up' }] }),
      'GET /scheduler-stats/get_pools': ok({ pools: [{ name: 'h@b#b', capabilities: { total_capacity_gb: 100 } }] }),
    }));
    const services = await run('service', 'list');
    expect(services.code).to.equal(EXIT_CODES.ok);
    expect(services.out).to.contain('floe-volume').and.contain('up');
    const pools = await run('pool', 'list', '--detail');
    expect(pools.code).to.equal(EXIT_CODES.ok);
    expect(pools.out).to.contain('h@b#b').and.contain('100');
    expect(stub.requests.at(-1)?.query.get('detail')).to.equal('True');
  });

  describe('backup copies and repositories', () => {
    const BACKUP = '22222222-2222-4333-8444-555555555555';
    const backup = (overrides: Record<string, unknown> = {}) => ({
      id: BACKUP, name: 'bk', status: 'available', volume_id: ID, size: 1, is_incremental: false, progress: 100,
      links: [{ rel: 'self', href: 'http://x/v3/p1/backups/2' }], container: 'default',
      copies: [
        { repository: 'default', status: 'available', fail_reason: null },
        { repository: 'offsite', status: 'error', fail_reason: 'disk full' },
      ],
      ...overrides,
    });

    it('backup show prints the copies on one row, with the failure reasons', async () => {
      stub.reset(routes({ [`GET /backups/${BACKUP}`]: ok({ backup: backup() }) }));
      const { code, out } = await run('backup', 'show', BACKUP);
      expect(code).to.equal(EXIT_CODES.ok);
      expect(out).to.match(/│ copies\s+│ default: available, offsite: error \(disk full\) │/);
    });

    it('backup list shows the copies statuses in a column, and the API objects with --json', async () => {
      stub.reset(routes({ 'GET /backups/detail': ok({ backups: [backup(), backup({ id: ID2, copies: [] })] }) }));
      const { code, out } = await run('backup', 'list');
      expect(code).to.equal(EXIT_CODES.ok);
      expect(out).to.contain('Copies').and.contain('default: available, offsite: error').and.not.contain('disk full');
      const json = await run('--json', 'backup', 'list');
      expect(JSON.parse(json.out)[0].copies).to.deep.equal(backup().copies);
    });

    it('backup create --repository sends it as the container (and nothing without it)', async () => {
      stub.reset(routes({
        [`GET /volumes/${ID}`]: volumeReply(),
        'POST /backups': ok({ backup: { id: BACKUP, name: null, links: [] } }, 202),
        [`GET /backups/${BACKUP}`]: ok({ backup: backup({ status: 'creating' }) }),
      }));
      expect((await run('backup', 'create', ID, '--repository', 'offsite')).code).to.equal(EXIT_CODES.ok);
      expect(stub.requests[1].body).to.deep.equal({ backup: { volume_id: ID, container: 'offsite', incremental: false } });
      await run('backup', 'create', ID);
      expect(stub.requests[4].body).to.deep.equal({ backup: { volume_id: ID, incremental: false } });
    });

    it('repository list prints Name, Type, State, Default, Replicates to and Detail, or the objects with --json', async () => {
      const repositories = [
        { name: 'default', type: 'local', state: 'available', detail: null, checked_at: '2026-01-01T00:00:00.000000', default: true, replicate_to: ['offsite', 'cloud'] },
        { name: 'cloud', type: 's3', state: 'unavailable', detail: 'bucket not reachable', checked_at: null, default: false, replicate_to: [] },
      ];
      stub.reset(routes({ 'GET /backup-repositories': ok({ backup_repositories: repositories }) }));
      const { code, out } = await run('repository', 'list');
      expect(code).to.equal(EXIT_CODES.ok);
      const lines = out.split('\n').filter((line) => line.startsWith('│'));
      expect(lines[0]).to.match(/│ Name\s+│ Type\s+│ State\s+│ Default │ Replicates to │ Detail\s+│/);
      expect(lines[1]).to.match(/│ default │ local │ available\s+│ yes\s+│ offsite\s+│ -\s+│/);
      expect(lines[2]).to.match(/│\s+│\s+│\s+│\s+│ cloud\s+│\s+│/);
      expect(lines[3]).to.match(/│ cloud\s+│ s3\s+│ unavailable │ no\s+│ -\s+│ bucket not reachable │/);
      const json = await run('--json', 'repository', 'list');
      expect(JSON.parse(json.out)).to.deep.equal(repositories);
      expect(stub.requests.map((r) => r.path)).to.deep.equal(['/v3/p1/backup-repositories', '/v3/p1/backup-repositories']);
    });

    it('repository list exits 5 when the API is unreachable like every command', async () => {
      const io = testIo({ FLOE_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
      expect(await runCli(['repository', 'list'], io)).to.equal(EXIT_CODES.unreachable);
    });
  });

  it('exits 5 and names the endpoint when nothing listens there', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const io = testIo({ FLOE_ENDPOINT: endpoint });
    expect(await runCli(['volume', 'list'], io)).to.equal(EXIT_CODES.unreachable);
    expect(io.stderr.text).to.contain(`cannot reach the Floe API at ${endpoint} (connection refused)`);
  });
});
