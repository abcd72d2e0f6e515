import { expect } from 'chai';
import { inOrderAhead } from '../../../backup-worker/engine/in-order.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inOrderAhead', () => {
  it('yields the results in order, with at most `ahead` started and not yet taken', async () => {
    let running = 0;
    let most = 0;
    const start = async (i: number) => {
      running += 1;
      most = Math.max(most, running);
      await tick(5 - (i % 5));
      running -= 1;
      return i * 10;
    };
    const results: number[] = [];
    for await (const r of inOrderAhead(12, 3, start)) results.push(r);
    expect(results).to.deep.equal(Array.from({ length: 12 }, (_, i) => i * 10));
    expect(most).to.equal(3);
  });

  it('waits for the ones already started when the caller stops early', async () => {
    const finished: number[] = [];
    const start = async (i: number) => {
      await tick(10);
      finished.push(i);
      return i;
    };
    for await (const r of inOrderAhead(10, 4, start)) if (r === 1) break;
    expect(finished.sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it('throws the first failure in order, after the others started have settled, leaving none unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const settled: number[] = [];
      const start = async (i: number) => {
        await tick(i === 1 ? 20 : 2);
        settled.push(i);
        if (i === 1 || i === 2) throw new Error(`load ${i} failed`);
        return i;
      };
      const taken: number[] = [];
      let failure: unknown;
      try {
        for await (const r of inOrderAhead(6, 3, start)) taken.push(r);
      } catch (err) {
        failure = err;
      }
      expect(taken).to.deep.equal([0]);
      expect(failure).to.be.instanceOf(Error).with.property('message', 'load 1 failed');
      expect(settled.sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3]);
      await tick(20);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
