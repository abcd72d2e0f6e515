import { expect } from 'chai';
import { RunningOperations } from '../../../backup-worker/running-operations.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RunningOperations', () => {
  it('counts a backup as running until its last operation ends', async () => {
    const running = new RunningOperations();
    const first = deferred();
    const second = deferred();
    const a = running.run('b1', () => first.promise);
    const b = running.run('b1', () => second.promise);
    expect(await running.ifIdle('b1', async () => expect.fail('resolved while an operation runs'))).to.equal(false);
    first.resolve();
    await a;
    expect(await running.ifIdle('b1', async () => expect.fail('resolved while an operation runs'))).to.equal(false);
    second.resolve();
    await b;
    let resolved = false;
    expect(await running.ifIdle('b1', async () => void (resolved = true))).to.equal(true);
    expect(resolved).to.equal(true);
  });

  it('holds back an operation that starts while its backup is being resolved', async () => {
    const running = new RunningOperations();
    const resolution = deferred();
    const order: string[] = [];
    const resolving = running.ifIdle('b1', async () => {
      await resolution.promise;
      order.push('resolved');
    });
    const operation = running.run('b1', async () => void order.push('operation'));
    expect(await running.ifIdle('b1', async () => expect.fail('two resolutions at once'))).to.equal(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(order).to.deep.equal([]);
    resolution.resolve();
    expect(await resolving).to.equal(true);
    await operation;
    expect(order).to.deep.equal(['resolved', 'operation']);
  });

  it('lets an operation start after a resolution that failed, and passes the failure on', async () => {
    const running = new RunningOperations();
    const failure = new Error('database unreachable');
    const resolving = running.ifIdle('b1', async () => {
      throw failure;
    });
    const operation = running.run('b1', async () => 'ran');
    expect(await resolving.catch((err: unknown) => err)).to.equal(failure);
    expect(await operation).to.equal('ran');
  });

  it('keeps backups apart', async () => {
    const running = new RunningOperations();
    const hold = deferred();
    const a = running.run('b1', () => hold.promise);
    expect(await running.ifIdle('b2', async () => undefined)).to.equal(true);
    hold.resolve();
    await a;
  });
});
