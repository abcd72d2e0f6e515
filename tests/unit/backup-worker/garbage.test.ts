import { expect } from 'chai';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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

  it('runs a scavenge each time with its default collector', async () => {
    const entries: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
    try {
      const pacer = new GarbagePacer(1);
      const from = performance.now();
      for (let i = 0; i < 5; i++) pacer.processed(1);
      const to = performance.now();
      await sleep(100); // GC entries are delivered asynchronously
      // Only the collector can have started a collection inside this synchronous window.
      const scavenges = entries.filter((e) => e.startTime >= from && e.startTime <= to && gcKind(e) === constants.NODE_PERFORMANCE_GC_MINOR);
      expect(scavenges).to.have.length(5);
    } finally {
      observer.disconnect();
    }
  });
});

/** The kind of collection a `gc` performance entry records (its `detail`, untyped in @types/node 20). */
function gcKind(entry: PerformanceEntry): number | undefined {
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
}
