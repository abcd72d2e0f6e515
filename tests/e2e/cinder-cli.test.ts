import { expect } from 'chai';
import { TestApi } from '../support/api-client.js';
import { cinder, startStack, type Stack } from '../support/stack.js';

/** The official OpenStack client (Debian's python3-cinderclient 9.1.0) must work against Floe unchanged. */
describe('e2e: the official cinder CLI in noauth mode', function () {
  this.timeout(180_000);
  let stack: Stack;
  let api: TestApi;

  before(async () => {
    stack = await startStack({ backends: [{ name: 'only', capacityGb: 50 }] });
    api = new TestApi(stack.apiUrl, 'demo', 'demo');
  });
  after(async () => stack?.stop());

  async function run(...args: string[]): Promise<string> {
    const res = await cinder(stack, args);
    expect(res.code, `cinder ${args.join(' ')}\n${res.stdout}\n${res.stderr}`).to.equal(0);
    return res.stdout;
  }

  it('create --poll, list, show, extend, delete', async () => {
    const created = await run('create', '1', '--name', 'cli-vol', '--poll');
    expect(created).to.match(/\|\s+status\s+\|\s+available\s+\|/);
    const list = await run('list');
    expect(list).to.match(/cli-vol/);
    const show = await run('show', 'cli-vol');
    expect(show).to.match(/\|\s+size\s+\|\s+1\s+\|/);
    const id = /\|\s+id\s+\|\s+([0-9a-f-]{36})\s+\|/.exec(show)?.[1];
    expect(id).to.be.a('string');

    await run('extend', 'cli-vol', '2');
    const extended = await api.waitForVolume(String(id), ['available', 'error_extending']);
    expect(extended.size).to.equal(2);
    expect(await run('show', String(id))).to.match(/\|\s+size\s+\|\s+2\s+\|/);

    expect(await run('delete', 'cli-vol')).to.match(/has been accepted/);
    await api.waitForVolume(String(id), ['deleted']);
    expect(await run('list')).to.not.match(/cli-vol/);
  });

  it('create --poll ends with the scheduler\'s message when no backend fits', async () => {
    const res = await cinder(stack, ['create', '5000', '--name', 'too-big', '--poll']);
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/error state due to '.*backend/i);
  });

  it('shows an API error plainly with the request id', async () => {
    await run('create', '1', '--name', 'ext-bad', '--poll');
    const res = await cinder(stack, ['extend', 'ext-bad', '1']);
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/New size for extend must be greater than current size.*\(HTTP 400\) \(Request-ID: req-/);
    await run('delete', 'ext-bad');
  });

  it('lists services and pools as admin', async () => {
    const admin = { user: 'admin', project: 'admin' };
    const services = await cinder(stack, ['service-list'], admin);
    expect(services.code, services.stderr).to.equal(0);
    expect(services.stdout).to.match(/floe-volume.*\|\s+up\s+\|/);
    const pools = await cinder(stack, ['get-pools', '--detail'], admin);
    expect(pools.code, pools.stderr).to.equal(0);
    expect(pools.stdout).to.match(/total_capacity_gb/);
  });
});
