import { expect } from 'chai';
import { DirectRunWriter, type RunSink } from '../../../backup-worker/engine/direct-runs.js';

const KIB = 1024;
const CHUNK = 4 * KIB;

/** A sink that keeps what each call wrote (a copy: the writer reuses its buffers). */
class RecordingSink implements RunSink {
  readonly directWrites: Array<{ offset: number; data: Buffer }> = [];
  readonly cachedWrites: Array<{ offset: number; data: Buffer }> = [];
  refuseDirect = false;
  failWith: Error | undefined;
  /** Direct writes wait for this before they complete, when set. */
  gate: Promise<void> | undefined;

  async direct(data: Buffer, offset: number): Promise<boolean> {
    await this.gate;
    if (this.failWith) throw this.failWith;
    if (this.refuseDirect) return false;
    this.directWrites.push({ offset, data: Buffer.from(data) });
    return true;
  }

  async cached(data: Buffer, offset: number): Promise<void> {
    this.cachedWrites.push({ offset, data: Buffer.from(data) });
  }

  /** The image the writes make, every write applied in order. */
  image(size: number): Buffer {
    const out = Buffer.alloc(size);
    for (const w of [...this.directWrites, ...this.cachedWrites]) w.data.copy(out, w.offset);
    return out;
  }
}

function chunk(index: number): Buffer {
  return Buffer.alloc(CHUNK, index + 1);
}

function writer(sink: RunSink, runChunks = 4, buffers = 4, openRuns = 2): DirectRunWriter {
  return new DirectRunWriter(sink, { runBytes: runChunks * CHUNK, buffers, openRuns });
}

describe('DirectRunWriter', () => {
  it('gathers chunks handed over in order into full runs', async () => {
    const sink = new RecordingSink();
    const w = writer(sink);
    await Promise.all(Array.from({ length: 12 }, (_, i) => w.write(chunk(i), i * CHUNK)));
    await w.flush();
    expect(sink.directWrites.map((d) => [d.offset / CHUNK, d.data.length / CHUNK])).to.deep.equal([[0, 4], [4, 4], [8, 4]]);
    expect(sink.image(12 * CHUNK)).to.deep.equal(Buffer.concat(Array.from({ length: 12 }, (_, i) => chunk(i))));
  });

  it('keeps two interleaved sequences in two runs, and writes a partial run when it is pushed out or flushed', async () => {
    const sink = new RecordingSink();
    const w = writer(sink);
    // Two streams of chunks (0, 1, 2 and 100, 101) interleaved, then a third sequence pushes out the oldest run.
    for (const i of [0, 100, 1, 101, 2, 50]) await w.write(chunk(i), i * CHUNK);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.directWrites.map((d) => [d.offset / CHUNK, d.data.length / CHUNK])).to.deep.equal([[0, 3]]);
    await w.flush();
    expect(sink.directWrites.map((d) => [d.offset / CHUNK, d.data.length / CHUNK])).to.deep.equal([[0, 3], [100, 2], [50, 1]]);
    const image = sink.image(102 * CHUNK);
    for (const i of [0, 1, 2, 50, 100, 101]) expect(image.subarray(i * CHUNK, (i + 1) * CHUNK)).to.deep.equal(chunk(i));
  });

  it('frees the caller at once while runs are written, and waits for a buffer when all are busy', async () => {
    const sink = new RecordingSink();
    let open!: () => void;
    sink.gate = new Promise((resolve) => (open = resolve));
    const w = writer(sink, 1, 3, 1);
    // Runs of one chunk, each written at once: three buffers, all three writes held up.
    await w.write(chunk(0), 0);
    await w.write(chunk(2), 2 * CHUNK);
    await w.write(chunk(4), 4 * CHUNK);
    let fourthDone = false;
    const fourth = w.write(chunk(6), 6 * CHUNK).then(() => (fourthDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fourthDone, 'a fourth chunk waits for a buffer').to.equal(false);
    open();
    await fourth;
    await w.flush();
    expect(sink.directWrites.map((d) => d.offset / CHUNK).sort((a, b) => a - b)).to.deep.equal([0, 2, 4, 6]);
  });

  it('writes through the cache from the first refused direct write on', async () => {
    const sink = new RecordingSink();
    const w = writer(sink, 2, 3, 1);
    await w.write(chunk(0), 0);
    await w.write(chunk(1), CHUNK);
    await new Promise((resolve) => setImmediate(resolve));
    sink.refuseDirect = true;
    await w.write(chunk(2), 2 * CHUNK);
    await w.write(chunk(3), 3 * CHUNK);
    await w.flush();
    expect(w.accepts(CHUNK, 4 * CHUNK), 'no more direct writes once refused').to.equal(false);
    expect(sink.directWrites.map((d) => [d.offset / CHUNK, d.data.length / CHUNK])).to.deep.equal([[0, 2]]);
    expect(sink.cachedWrites.map((d) => [d.offset / CHUNK, d.data.length / CHUNK])).to.deep.equal([[2, 2]]);
    expect(sink.image(4 * CHUNK)).to.deep.equal(Buffer.concat([chunk(0), chunk(1), chunk(2), chunk(3)]));
  });

  it('fails the next write, and the flush, with the first failed write', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('EIO: i/o error, write');
    const w = writer(sink, 1, 3, 1);
    await w.write(chunk(0), 0);
    await w.write(chunk(1), CHUNK);
    await new Promise((resolve) => setTimeout(resolve, 10));
    let failure: unknown;
    await w.write(chunk(2), 2 * CHUNK).catch((err: unknown) => (failure = err));
    expect(failure).to.be.instanceOf(Error).with.property('message', 'EIO: i/o error, write');
    const flushed = await w.flush().then(() => undefined, (err: unknown) => err);
    expect(flushed).to.be.instanceOf(Error).with.property('message', 'EIO: i/o error, write');
  });

  it('takes only whole aligned blocks that fit a run', () => {
    const w = writer(new RecordingSink());
    expect(w.accepts(CHUNK, 0)).to.equal(true);
    expect(w.accepts(CHUNK, 512)).to.equal(false);
    expect(w.accepts(CHUNK - 512, 0)).to.equal(false);
    expect(w.accepts(8 * CHUNK, 0)).to.equal(false);
  });

  it('refuses to be built with no buffer left to write from', () => {
    expect(() => writer(new RecordingSink(), 4, 2, 2)).to.throw(RangeError);
  });
});
