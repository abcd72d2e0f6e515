import { expect } from 'chai';
import { join } from 'node:path';
import { BackupRepository, BackupNotFoundError } from '../../../backup-worker/engine/index.js';
import { backupReadsAhead, ReadAheadStore } from '../../../backup-worker/engine/read-ahead.js';
import { MemoryRepository } from '../../../backup-worker/repositories/index.js';
import type { ByteRange, ObjectHandle, ObjectInfo, ObjectKind } from '../../../backup-worker/repositories/repository.js';
import { BLOCK, BufferSource, imageWithHoles, readBack, rejection, withTempDir } from '../../support/backup-fixtures.js';

const SECRET = { passphrase: 'correct horse' };

/** A memory store that records its whole-object loads and its listings. */
class RecordingStore extends MemoryRepository {
  readonly calls: string[] = [];

  override load(h: ObjectHandle, range?: ByteRange): Promise<Buffer> {
    if (!range) this.calls.push(`load ${h.kind}/${h.name}`);
    return super.load(h, range);
  }

  override list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    this.calls.push(`list ${kind}`);
    return super.list(kind);
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }
}

async function storeWithBackups(ids: readonly string[]): Promise<{ store: RecordingStore; image: Buffer }> {
  const store = new RecordingStore();
  const repo = await BackupRepository.init(store, SECRET, { packSizeBytes: 1024 * 1024 });
  // Each backup stores new chunks, and so writes an index object.
  const images = ids.map(() => imageWithHoles(6 * BLOCK));
  for (const [i, backupId] of ids.entries()) await repo.backup(new BufferSource(images[i]), { backupId });
  store.calls.length = 0;
  return { store, image: images[images.length - 1] };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadAheadStore', () => {
  it("starts a backup's manifest load and the index's listing and loads, which its restore then takes", async () => {
    const { store, image } = await storeWithBackups(['b1', 'b2']);
    const ahead = new ReadAheadStore(store, backupReadsAhead('b2'));
    ahead.start();
    await settled();
    expect(store.count('load manifest/')).to.equal(1);
    expect(store.count('list index')).to.equal(1);
    expect(store.count('load index/')).to.equal(2);
    const repo = await BackupRepository.open(ahead, SECRET);
    const restored = await withTempDir(async (dir) => {
      await repo.restore('b2', join(dir, 't.img'));
      return readBack(join(dir, 't.img'));
    });
    expect(restored.equals(image)).to.equal(true);
    // Nothing was asked twice: the restore took what was started.
    expect(store.count('load manifest/')).to.equal(1);
    expect(store.count('list index')).to.equal(1);
    expect(store.count('load index/')).to.equal(2);
  });

  it('serves only the first call from a started read; later calls go to the store', async () => {
    const { store } = await storeWithBackups(['b1']);
    const ahead = new ReadAheadStore(store, backupReadsAhead('b1'));
    ahead.start();
    const first = await ahead.load({ kind: 'manifest', name: 'b1' });
    const second = await ahead.load({ kind: 'manifest', name: 'b1' });
    expect(first.equals(second)).to.equal(true);
    expect(store.count('load manifest/b1')).to.equal(2);
  });

  it('loads ahead only the first objects listed, as many as asked', async () => {
    const { store } = await storeWithBackups(['b1', 'b2', 'b3']);
    const ahead = new ReadAheadStore(store, { objects: [], kinds: ['index'], loadsPerKind: 2 });
    ahead.start();
    await settled();
    expect(store.count('load index/')).to.equal(2);
  });

  it('hands a started read\'s failure to its caller, and leaves none unhandled when nobody asks', async () => {
    const { store } = await storeWithBackups(['b1']);
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const unasked = new ReadAheadStore(store, backupReadsAhead('missing'));
      unasked.start();
      const asked = new ReadAheadStore(store, backupReadsAhead('missing'));
      asked.start();
      const repo = await BackupRepository.open(asked, SECRET);
      const err = await withTempDir((dir) => rejection(repo.restore('missing', join(dir, 't.img'))));
      expect(err).to.be.instanceOf(BackupNotFoundError);
      await settled();
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('never asks the store for a backup id that names no manifest', async () => {
    const { store } = await storeWithBackups(['b1']);
    const ahead = new ReadAheadStore(store, backupReadsAhead('../config'));
    ahead.start();
    const repo = await BackupRepository.open(ahead, SECRET);
    expect(await withTempDir((dir) => rejection(repo.restore('../config', join(dir, 't.img'))))).to.be.instanceOf(BackupNotFoundError);
    expect(store.calls.filter((c) => c.includes('..'))).to.deep.equal([]);
  });
});
