import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { exposeGc } from '../../../backup-worker/engine/garbage.js';
import { uniqueName } from '../../support/env.js';
import { outcomeWithin } from '../../support/outcome-within.js';
import { BrokerProxy, BrokerScratch, closeBrokerConnection, deferred, testContext, waitUntil } from './rpc-support.js';

const HANGING_CONSUMER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hanging-consumer.js');

/** Starts the hanging consumer and resolves once it printed `line`. */
function startChild(queue: string): { child: ChildProcess; printed: (line: string) => Promise<void> } {
  const child = spawn(process.execPath, [HANGING_CONSUMER, queue], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FLOE_LOG_LEVEL: 'error' } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const printed = (line: string) => waitUntil(`the child printed ${line}`, () => output.split('\n').includes(line));
  return { child, printed };
}

describe('rpc/amqp-transport recovery (RabbitMQ)', function () {
  this.timeout(30_000);
  let scratch: BrokerScratch;
  const children: ChildProcess[] = [];
  const proxies: BrokerProxy[] = [];

  beforeEach(() => {
    scratch = new BrokerScratch();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    // First, so that a transport behind a stalled proxy closes at once rather than at its heartbeat.
    for (const proxy of proxies.splice(0)) await proxy.down().catch(() => undefined);
    await scratch.cleanUp();
  });

  it('redelivers to another consumer a message whose consumer process died before the ack', async () => {
    const topic = scratch.queue('crash');
    const { child, printed } = startChild(topic);
    children.push(child);
    await printed('ready');
    const rpc = await scratch.transport();
    await rpc.cast(topic, 'work', { job: 42 }, testContext());
    await printed('handling');

    const handledHere = deferred<unknown>();
    await rpc.serve(topic, { work: async (args) => handledHere.resolve(args) });
    child.kill('SIGKILL');

    expect(await handledHere.promise).to.deep.equal({ job: 42 });
  });

  it('dead-letters a message whose consumers kept dying instead of redelivering it forever', async () => {
    const topic = scratch.queue('poison');
    const deadLetters = scratch.queue('dlq');
    const { child, printed } = startChild(topic);
    children.push(child);
    await printed('ready');
    const rpc = await scratch.transport({ maxAttempts: 1, deadLetterQueue: deadLetters });
    await rpc.cast(topic, 'work', { job: 'poison' }, testContext());
    await printed('handling');

    let handled = 0;
    const reported = deferred<Error>();
    await rpc.serve(topic, { work: async () => void handled++ }, { onDeadLetter: async (_envelope, error) => reported.resolve(error) });
    child.kill('SIGKILL');

    expect((await reported.promise).message).to.contain('gave up after 1 deliveries');
    expect(handled).to.equal(0);
    await waitUntil('the dead letter is in its queue', async () => (await scratch.readyCount(deadLetters)) === 1);
  });

  it('subscribes again when the broker cancels a consumer because its queue was deleted', async () => {
    const topic = scratch.queue('deleted');
    const rpc = await scratch.transport();
    const received: unknown[] = [];
    await rpc.serve(topic, { work: async (args) => void received.push(args) });

    await (await scratch.channel()).deleteQueue(topic);
    await waitUntil('the consumer declared its queue again', async () => {
      const queue = await (await scratch.channel()).checkQueue(topic).catch(() => null); // 404 until then
      return queue?.consumerCount === 1;
    });
    await rpc.cast(topic, 'work', { after: 'delete' }, testContext());

    await waitUntil('the cast was handled', () => received.length === 1);
    expect(received).to.deep.equal([{ after: 'delete' }]);
  });

  it('reconnects after the broker dropped the connection; consumers, casts and calls work again', async () => {
    const topic = scratch.queue('reconnect');
    const connectionName = uniqueName('rpc-test-reconnect');
    const rpc = await scratch.transport({ connectionName });
    const received: number[] = [];
    await rpc.serve(topic, {
      work: async (args) => void received.push((args as { n: number }).n),
      ping: async () => 'pong',
    });
    await rpc.cast(topic, 'work', { n: 1 }, testContext());
    await waitUntil('the first cast was handled', () => received.length === 1);

    await closeBrokerConnection(connectionName);
    await rpc.cast(topic, 'work', { n: 2 }, testContext()); // waits for the reconnect
    await rpc.cast(topic, 'work', { n: 3 }, testContext());

    await waitUntil('the casts after the drop were handled', () => received.length >= 3);
    expect(received.sort()).to.deep.equal([1, 2, 3]);
    expect(await rpc.call(topic, 'ping', {}, testContext())).to.equal('pong');
  });

  it('loses no confirmed cast when the connection drops with publishes in flight', async () => {
    const topic = scratch.queue('inflight');
    const proxy = await BrokerProxy.start();
    proxies.push(proxy);
    const sender = await scratch.transport({ callTimeoutMs: 8000 }, proxy.url);
    const receiver = await scratch.transport();
    const received = new Set<number>();
    await receiver.serve(topic, { work: async (args) => void received.add((args as { n: number }).n) });
    await sender.cast(topic, 'work', { n: -1 }, testContext()); // the queue exists before the drop

    const casts = Array.from({ length: 200 }, (_, n) => sender.cast(topic, 'work', { n }, testContext()));
    await proxy.down();
    setTimeout(() => void proxy.up(), 300);
    const outcomes = await Promise.allSettled(casts);

    expect(outcomes.filter((o) => o.status === 'rejected')).to.deep.equal([]);
    await waitUntil('every confirmed cast arrived', () => received.size === 201);
  });

  it('makes a cast wait while the broker is unreachable and reject loudly when it stays away', async () => {
    const topic = scratch.queue('outage');
    const proxy = await BrokerProxy.start();
    proxies.push(proxy);
    const rpc = await scratch.transport({ callTimeoutMs: 600 }, proxy.url);

    await proxy.down();
    const started = Date.now();
    const err = await rpc.cast(topic, 'work', {}, testContext()).catch((e: unknown) => e);

    expect(err).to.include({ code: 'rpc_unavailable', status: 503 });
    expect((err as Error).message).to.contain(`send work to ${topic}`);
    expect(Date.now() - started).to.be.at.least(550);

    await proxy.up();
    // The reconnect backoff may outlast one short cast: cast until the transport is back.
    await waitUntil('a cast went through', () => rpc.cast(topic, 'work', {}, testContext()).then(() => true, () => false));
    expect(await scratch.readyCount(topic)).to.equal(1);
  });

  it('rejects casts waiting for an unreachable broker in time while the garbage collector runs', async () => {
    const collectGarbage = exposeGc();
    const topic = scratch.queue('outage-gc');
    const proxy = await BrokerProxy.start();
    proxies.push(proxy);
    const rpc = await scratch.transport({ callTimeoutMs: 300 }, proxy.url);
    await proxy.down();

    const collecting = setInterval(() => collectGarbage(), 20); // full collections
    try {
      const casts = Array.from({ length: 10 }, () => rpc.cast(topic, 'work', {}, testContext()).then(() => 'sent', (e: unknown) => e));
      const outcomes = (await outcomeWithin(Promise.all(casts), 5000)) as unknown[];

      expect(outcomes).to.have.length(10);
      for (const outcome of outcomes) expect(outcome).to.include({ code: 'rpc_unavailable' });
    } finally {
      clearInterval(collecting);
    }
  });

  it('rejects a cast in time when the connection goes silent without closing (a partition)', async () => {
    const topic = scratch.queue('partition');
    const proxy = await BrokerProxy.start();
    proxies.push(proxy);
    const rpc = await scratch.transport({ callTimeoutMs: 300 }, proxy.url);
    proxy.stall();

    expect(await outcomeWithin(rpc.cast(topic, 'work', {}, testContext()), 5000)).to.include({ code: 'rpc_unavailable' });
  });

  it('fails connectRpc when no broker answers in time, without showing the password', async () => {
    const proxy = await BrokerProxy.start();
    const url = proxy.url;
    await proxy.down();

    const err = await scratch.transport({ callTimeoutMs: 500 }, url).catch((e: unknown) => e);

    expect(err).to.include({ code: 'rpc_unavailable' });
    expect((err as Error).message).to.contain('floe:***@').and.not.contain('floe:floe@');
  });
});
