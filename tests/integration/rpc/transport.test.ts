import { expect } from 'chai';
import { currentContext } from '../../../common/context.js';
import { DriverError, InvalidStateError, NotFoundError, RpcRemoteError, RpcTimeoutError } from '../../../common/errors.js';
import type { Envelope } from '../../../rpc/transport.js';
import { BrokerScratch, deferred, testContext, waitUntil } from './rpc-support.js';

describe('rpc/amqp-transport (RabbitMQ)', function () {
  this.timeout(20_000);
  let scratch: BrokerScratch;

  beforeEach(() => {
    scratch = new BrokerScratch();
  });
  afterEach(async () => {
    await scratch.cleanUp();
  });

  it('delivers a cast once, in the sender context, and acks it after the handler finished', async () => {
    const topic = scratch.queue('cast');
    const rpc = await scratch.transport();
    const ctx = testContext();
    const seen: { args: unknown; requestId?: string; envelope: Envelope }[] = [];
    const consumer = await rpc.serve(topic, {
      createVolume: async (args, _context, envelope) => {
        seen.push({ args, requestId: currentContext()?.requestId, envelope });
      },
    });

    await rpc.cast(topic, 'createVolume', { volumeId: 'v-1' }, ctx, '1.2');
    await waitUntil('the cast was handled', () => seen.length === 1);
    await consumer.stop();

    expect(seen).to.have.length(1);
    expect(seen[0].args).to.deep.equal({ volumeId: 'v-1' });
    expect(seen[0].requestId).to.equal(ctx.requestId);
    expect(seen[0].envelope).to.include({ method: 'createVolume', version: '1.2' });
    expect(seen[0].envelope.context).to.deep.equal(ctx);
    // Unacked messages would be back in the queue once the consumer's channel closed.
    expect(await scratch.readyCount(topic)).to.equal(0);
  });

  it('keeps a cast sent before anyone serves the topic', async () => {
    const topic = scratch.queue('early');
    const rpc = await scratch.transport();
    await rpc.cast(topic, 'work', { n: 1 }, testContext());
    expect(await scratch.readyCount(topic)).to.equal(1);

    const handled = deferred<unknown>();
    await rpc.serve(topic, { work: async (args) => handled.resolve(args) });
    expect(await handled.promise).to.deep.equal({ n: 1 });
  });

  it('declares a queue again when a cast comes back unroutable because the queue was deleted', async () => {
    const topic = scratch.queue('vanished');
    const rpc = await scratch.transport();
    await rpc.cast(topic, 'work', { n: 1 }, testContext());
    await (await scratch.channel()).deleteQueue(topic);

    await rpc.cast(topic, 'work', { n: 2 }, testContext());

    const message = await (await scratch.channel()).get(topic, { noAck: true });
    expect(message && JSON.parse(message.content.toString()).args).to.deep.equal({ n: 2 });
  });

  it('returns the result of a call', async () => {
    const topic = scratch.queue('call');
    const server = await scratch.transport();
    const client = await scratch.transport();
    const ctx = testContext();
    await server.serve(topic, {
      initializeConnection: async (args) => ({ echoed: args, requestId: currentContext()?.requestId }),
    });

    const result = await client.call<{ echoed: unknown; requestId: string }>(topic, 'initializeConnection', { volumeId: 'v' }, ctx);

    expect(result).to.deep.equal({ echoed: { volumeId: 'v' }, requestId: ctx.requestId });
  });

  it('answers several concurrent calls, each with its own reply', async () => {
    const topic = scratch.queue('calls');
    const rpc = await scratch.transport();
    await rpc.serve(topic, { double: async (args) => (args as { n: number }).n * 2 });

    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => rpc.call<number>(topic, 'double', { n }, testContext())));

    expect(results).to.deep.equal([2, 4, 6, 8, 10]);
  });

  it('times out a call that nobody serves', async () => {
    const topic = scratch.queue('unserved');
    const rpc = await scratch.transport();

    const err = await rpc.call(topic, 'ping', {}, testContext(), { timeoutMs: 300 }).catch((e: unknown) => e);

    expect(err).to.be.instanceOf(RpcTimeoutError);
    expect((err as RpcTimeoutError).status).to.equal(504);
    expect((err as Error).message).to.contain('ping').and.contain(topic);
  });

  it('brings a remote error back with its code, status and message', async () => {
    const topic = scratch.queue('remote-error');
    const rpc = await scratch.transport();
    await rpc.serve(topic, {
      getVolume: async () => {
        throw new NotFoundError('Volume', 'v-404');
      },
    });

    const err = await rpc.call(topic, 'getVolume', {}, testContext()).catch((e: unknown) => e);

    expect(err).to.be.instanceOf(RpcRemoteError);
    expect(err).to.include({ code: 'not_found', status: 404, message: 'Volume v-404 could not be found.' });
  });

  it('answers a call to an unknown method with an error instead of retrying it', async () => {
    const topic = scratch.queue('unknown-call');
    const rpc = await scratch.transport();
    await rpc.serve(topic, {});

    const err = await rpc.call(topic, 'nope', {}, testContext()).catch((e: unknown) => e);

    expect(err).to.be.instanceOf(RpcRemoteError);
    expect(err).to.include({ code: 'rpc_unknown_method', status: 501 });
  });

  it('retries a failing cast up to maxAttempts, then dead-letters it and calls onDeadLetter once', async () => {
    const topic = scratch.queue('failing');
    const deadLetters = scratch.queue('dlq');
    const rpc = await scratch.transport({ maxAttempts: 3, deadLetterQueue: deadLetters });
    const ctx = testContext();
    let attempts = 0;
    const reported: { envelope: Envelope; error: Error; requestId?: string }[] = [];
    await rpc.serve(
      topic,
      {
        createVolume: async () => {
          attempts++;
          throw new DriverError('createVolume', 'disk on fire');
        },
      },
      { onDeadLetter: async (envelope, error) => void reported.push({ envelope, error, requestId: currentContext()?.requestId }) },
    );

    await rpc.cast(topic, 'createVolume', { volumeId: 'v-9' }, ctx);
    await waitUntil('the message was dead-lettered', () => reported.length > 0);
    await waitUntil('the dead letter is in its queue', async () => (await scratch.readyCount(deadLetters)) === 1);

    expect(attempts).to.equal(3);
    expect(reported).to.have.length(1);
    expect(reported[0].envelope).to.include({ method: 'createVolume' });
    expect(reported[0].envelope.args).to.deep.equal({ volumeId: 'v-9' });
    expect(reported[0].error.message).to.equal('createVolume failed: disk on fire');
    expect(reported[0].requestId).to.equal(ctx.requestId);
    const dead = await (await scratch.channel()).get(deadLetters, { noAck: true });
    expect(dead && JSON.parse(dead.content.toString())).to.include({ method: 'createVolume' });
    expect(dead && dead.properties.headers).to.include({ 'x-floe-topic': topic, 'x-floe-error': 'createVolume failed: disk on fire', 'x-floe-attempts': 3 });
    expect(await scratch.readyCount(topic)).to.equal(0);
  });

  it('dead-letters at once a cast whose handler fails with a client error', async () => {
    const topic = scratch.queue('permanent');
    const deadLetters = scratch.queue('dlq');
    const rpc = await scratch.transport({ maxAttempts: 5, deadLetterQueue: deadLetters });
    let attempts = 0;
    const reported = deferred<Error>();
    await rpc.serve(
      topic,
      {
        extendVolume: async () => {
          attempts++;
          throw new InvalidStateError('volume', 'v-1', 'error', ['available']);
        },
      },
      { onDeadLetter: async (_envelope, error) => reported.resolve(error) },
    );

    await rpc.cast(topic, 'extendVolume', { volumeId: 'v-1' }, testContext());

    expect((await reported.promise).message).to.contain('must be in status available');
    expect(attempts).to.equal(1);
  });

  it('dead-letters a message that is not a valid envelope without calling onDeadLetter', async () => {
    const topic = scratch.queue('malformed');
    const deadLetters = scratch.queue('dlq');
    const rpc = await scratch.transport({ deadLetterQueue: deadLetters });
    let notified = 0;
    await rpc.serve(topic, { work: async () => undefined }, { onDeadLetter: async () => void notified++ });

    (await scratch.channel()).sendToQueue(topic, Buffer.from('{"method": 42'), { persistent: true });
    await waitUntil('the malformed message was dead-lettered', async () => (await scratch.readyCountOnceDeclared(deadLetters)) === 1);

    const dead = await (await scratch.channel()).get(deadLetters, { noAck: true });
    expect(dead && dead.content.toString()).to.equal('{"method": 42');
    expect(dead && String(dead.properties.headers?.['x-floe-error'])).to.contain('not JSON');
    expect(notified).to.equal(0);
  });

  it('reaches every subscriber of a fanout exchange', async () => {
    const exchange = scratch.exchange('caps');
    const [a, b, sender] = [await scratch.transport(), await scratch.transport(), await scratch.transport()];
    const gotA = deferred<unknown>();
    const gotB = deferred<unknown>();
    await a.subscribe(exchange, { reportCapabilities: async (args) => gotA.resolve(args) });
    await b.subscribe(exchange, { reportCapabilities: async (args) => gotB.resolve(args) });

    await sender.fanout(exchange, 'reportCapabilities', { host: 'h@b', free_capacity_gb: 7 }, testContext());

    expect(await gotA.promise).to.deep.equal({ host: 'h@b', free_capacity_gb: 7 });
    expect(await gotB.promise).to.deep.equal({ host: 'h@b', free_capacity_gb: 7 });
  });

  it('lets stop() wait for the handler in flight, which then acks', async () => {
    const topic = scratch.queue('graceful');
    const rpc = await scratch.transport();
    const started = deferred();
    const release = deferred();
    const consumer = await rpc.serve(topic, {
      slow: async () => {
        started.resolve();
        await release.promise;
      },
    });
    await rpc.cast(topic, 'slow', {}, testContext());
    await started.promise;

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped, 'stop() returned while the handler ran').to.equal(false);
    release.resolve();
    await stopping;

    expect(await scratch.readyCount(topic)).to.equal(0);
  });

  it('rejects casts once closed', async () => {
    const rpc = await scratch.transport();
    await rpc.close();

    const err = await rpc.cast(scratch.queue('closed'), 'work', {}, testContext()).catch((e: unknown) => e);

    expect(err).to.be.instanceOf(Error);
    expect(err).to.include({ code: 'rpc_unavailable', status: 503 });
  });
});
