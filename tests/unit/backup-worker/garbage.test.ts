import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GarbagePacer } from '../../../backup-worker/engine/garbage.js';

describe('GarbagePacer (collects the chunk buffers a backup leaves behind)', () => {
  it('collects once per `everyBytes` of chunk data', () => {
    let collections = 0;
    const pacer = new GarbagePacer(1000, () => collections++);
    pacer.processed(400);
    pacer.processed(599);
    expect(collections).to.equal(0);
    pacer.processed(1);
    expect(collections).to.equal(1);
    for (let i = 0; i < 10; i++) pacer.processed(250);
    expect(collections).to.equal(3);
  });

  it('frees buffers nothing refers to any more with its default collector', async () => {
    const MiB = 1024 * 1024;
    const whileHeld = arrayBytesWhileHolding(32, 256 * 1024);
    new GarbagePacer(1).processed(1);
    let after = process.memoryUsage().arrayBuffers;
    for (let turn = 0; turn < 100 && after > whileHeld - 6 * MiB; turn++) {
      await nextTurn();
      after = process.memoryUsage().arrayBuffers;
    }
    expect(whileHeld - after).to.be.at.least(6 * MiB);
  });
});

/** Allocates `count` buffers and measures the ArrayBuffer bytes while they are held; drops them on return. */
function arrayBytesWhileHolding(count: number, size: number): number {
  const held = Array.from({ length: count }, () => Buffer.alloc(size, 1));
  const bytes = process.memoryUsage().arrayBuffers;
  expect(held.reduce((sum, b) => sum + b.length, 0)).to.equal(count * size);
  return bytes;
}
