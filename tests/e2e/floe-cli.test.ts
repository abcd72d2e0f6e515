import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startStack, type Stack } from '../support/stack.js';

const FLOE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('e2e: the floe CLI against the real processes', function () {
  this.timeout(120_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ backends: [{ name: 'cli', capacityGb: 20 }] });
  });
  after(async () => stack?.stop());

  function floe(args: string[], who = { user: 'demo', project: 'demo' }): Promise<Run> {
    const env = { PATH: process.env.PATH, FLOE_ENDPOINT: stack.apiUrl, FLOE_USER: who.user, FLOE_PROJECT: who.project };
    return new Promise((resolve) => {
      execFile(process.execPath, [FLOE, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('creates with --wait, lists, shows, updates, extends and deletes', async () => {
    const created = await floe(['--json', 'volume', 'create', '1', '--name', 'floe-vol', '--metadata', 'tier=gold', '--wait']);
    expect(created.code, created.stderr).to.equal(0);
    const volume = JSON.parse(created.stdout) as { id: string; status: string; metadata: Record<string, string> };
    expect(volume.status).to.equal('available');
    expect(volume.metadata).to.deep.equal({ tier: 'gold' });

    const table = await floe(['volume', 'list']);
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/floe-vol/).and.match(/available/);

    const updated = await floe(['volume', 'update', 'floe-vol', '--name', 'floe-vol2']);
    expect(updated.code, updated.stderr).to.equal(0);
    const extended = await floe(['--json', 'volume', 'extend', 'floe-vol2', '2', '--wait']);
    expect(extended.code, extended.stderr).to.equal(0);
    expect((JSON.parse(extended.stdout) as { size: number }).size).to.equal(2);

    const shown = await floe(['--json', 'volume', 'show', volume.id]);
    expect((JSON.parse(shown.stdout) as { name: string }).name).to.equal('floe-vol2');

    const deleted = await floe(['volume', 'delete', 'floe-vol2', '--wait']);
    expect(deleted.code, deleted.stderr).to.equal(0);
    const missing = await floe(['volume', 'show', volume.id]);
    expect(missing.code).to.equal(3);
  });

  it('exits 4 with the reason when a waited-for volume ends in error', async () => {
    const res = await floe(['volume', 'create', '5000', '--name', 'floe-huge', '--wait']);
    expect(res.code).to.equal(4);
    expect(res.stderr).to.match(/backend/i);
  });

  it('shows API errors plainly and exits 1', async () => {
    const res = await floe(['volume', 'create', '0']);
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/HTTP 400/);
  });

  it('lists services and pools for an admin', async () => {
    const admin = { user: 'admin', project: 'admin' };
    const services = await floe(['--json', 'service', 'list'], admin);
    expect(services.code, services.stderr).to.equal(0);
    const rows = JSON.parse(services.stdout) as { binary: string; state: string }[];
    expect(rows.some((s) => s.binary === 'floe-volume' && s.state === 'up')).to.equal(true);
    const pools = await floe(['pool', 'list', '--detail'], admin);
    expect(pools.code, pools.stderr).to.equal(0);
    expect(pools.stdout).to.match(/cli/);
  });

  it('exits 5 when the endpoint cannot be reached', async () => {
    const env = { PATH: process.env.PATH, FLOE_ENDPOINT: 'http://127.0.0.1:9' };
    const code = await new Promise<number>((resolve) =>
      execFile(process.execPath, [FLOE, 'volume', 'list'], { env }, (err) => resolve(err && typeof err.code === 'number' ? err.code : 0)),
    );
    expect(code).to.equal(5);
  });
});
