import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { blake3 } from '@napi-rs/blake-hash';
import { BackupRepository, IntegrityError, WrongKeyError, BackupNotFoundError, UnsupportedFormatError } from '../../../backup-worker/engine/index.js';
import { BlobCodec } from '../../../backup-worker/engine/blob-codec.js';
import { unlockIfInitialized, unlockRepository } from '../../../backup-worker/engine/unlock.js';
import { MemoryRepository } from '../../../backup-worker/repositories/index.js';
import { listAll } from '../../../backup-worker/repositories/repository.js';
import { BLOCK, BufferSource, imageWithHoles, readBack, rejection, withTempDir } from '../../support/backup-fixtures.js';

const SECRET = { passphrase: 'correct horse' };
const SMALL_PACKS = { packSizeBytes: 1024 * 1024 };

async function newRepo(store = new MemoryRepository(), options = {}): Promise<BackupRepository> {
  return BackupRepository.init(store, SECRET, { ...SMALL_PACKS, ...options });
}

async function roundTrip(repo: BackupRepository, image: Buffer, backupId: string): Promise<Buffer> {
  await repo.backup(new BufferSource(image), { backupId });
  return withTempDir(async (dir) => {
    const target = join(dir, 'restored.img');
    await repo.restore(backupId, target);
    return readBack(target);
  });
}

describe('Backup engine: round trips', () => {
  const sizes: Array<[string, number]> = [
    ['aligned with holes', 12 * BLOCK],
    ['unaligned size', 5 * BLOCK + 12345],
    ['a 0-byte file', 0],
    ['smaller than one block', 1000],
  ];
  for (const [label, size] of sizes) {
    it(`restores ${label} byte for byte`, async () => {
      const image = imageWithHoles(size);
      expect((await roundTrip(await newRepo(), image, 'b1')).equals(image)).to.equal(true);
    });
  }

  it('restores an image whose unaligned tail is all zero, keeping the size', async () => {
    const image = Buffer.concat([randomBytes(2 * BLOCK), Buffer.alloc(7777)]);
    expect((await roundTrip(await newRepo(), image, 'b1')).equals(image)).to.equal(true);
  });

  for (const compression of ['zstd', 'gzip', 'none'] as const) {
    it(`round-trips with ${compression} compression, unencrypted too`, async () => {
      const image = Buffer.concat([Buffer.alloc(BLOCK, 'text '), randomBytes(BLOCK), Buffer.alloc(BLOCK)]);
      const repo = await BackupRepository.init(new MemoryRepository(), {}, { compression, encrypted: false });
      expect((await roundTrip(repo, image, 'b1')).equals(image)).to.equal(true);
    });
  }

  it('overwrites an existing larger target file and leaves holes sparse', async () => {
    const image = imageWithHoles(9 * BLOCK);
    const repo = await newRepo();
    await repo.backup(new BufferSource(image), { backupId: 'b1' });
    await withTempDir(async (dir) => {
      const target = join(dir, 'vol.img');
      await writeFile(target, randomBytes(12 * BLOCK));
      await repo.restore('b1', target);
      expect((await readBack(target)).equals(image)).to.equal(true);
      expect((await stat(target)).blocks * 512).to.be.below(image.length);
    });
  });

  it('does not store all-zero blocks and reports what it wrote', async () => {
    const repo = await newRepo();
    const summary = await repo.backup(new BufferSource(Buffer.alloc(8 * BLOCK)), { backupId: 'zeros' });
    expect(summary).to.include({ chunkCount: 0, newChunkCount: 0, objectCount: 1, sizeBytes: 8 * BLOCK });
  });
});

describe('Backup engine: dedup and incrementals', () => {
  it('stores nothing new for a second image with equal content (cross-volume dedup)', async () => {
    const repo = await newRepo();
    const image = imageWithHoles(10 * BLOCK);
    const first = await repo.backup(new BufferSource(image, 'vol-a'), { backupId: 'a' });
    const second = await repo.backup(new BufferSource(Buffer.from(image), 'vol-b'), { backupId: 'b' });
    expect(first.newChunkCount).to.equal(first.chunkCount).and.to.be.above(0);
    expect(second.newChunkCount).to.equal(0);
    expect(second.objectCount).to.equal(1);
    expect(second.bytesStoredNew).to.be.below(4096);
  });

  it('stores only the changed blocks of an incremental backup', async () => {
    const repo = await newRepo();
    const image = randomBytes(16 * BLOCK);
    await repo.backup(new BufferSource(image), { backupId: 'full' });
    const changed = Buffer.from(image);
    for (const block of [1, 7, 12]) changed.fill(9, block * BLOCK + 100, block * BLOCK + 200);
    const incremental = await repo.backup(new BufferSource(changed), { backupId: 'incr' });
    expect(incremental.newChunkCount).to.equal(3);
    expect(incremental.bytesStoredNew).to.be.below(3 * BLOCK + 8192);
    expect((await roundTrip(repo, changed, 'again')).equals(changed)).to.equal(true);
  });

  it('deduplicates equal blocks inside one image', async () => {
    const block = randomBytes(BLOCK);
    const summary = await (await newRepo()).backup(new BufferSource(Buffer.concat([block, block, block])), { backupId: 'x' });
    expect(summary).to.include({ chunkCount: 3, newChunkCount: 1 });
  });
});

describe('Backup engine: ranged reads', () => {
  /** Restores `backupId`, counting the reads of packs (ranged loads, or range streams). */
  async function restoreCountingPackReads(store: MemoryRepository, repo: BackupRepository, backupId: string): Promise<{ image: Buffer; packReads: number }> {
    let packReads = 0;
    const load = store.load.bind(store);
    const openRange = store.openRange?.bind(store);
    const countedLoad: MemoryRepository['load'] = (h, ...rest) => ((packReads += Number(h.kind === 'pack')), load(h, ...rest));
    const countedOpenRange: MemoryRepository['openRange'] = openRange && ((...args) => ((packReads += 1), openRange(...args)));
    Object.assign(store, { load: countedLoad, openRange: countedOpenRange });
    const image = await withTempDir(async (dir) => {
      await repo.restore(backupId, join(dir, 't.img'));
      return readBack(join(dir, 't.img'));
    });
    return { image, packReads };
  }

  for (const streamsRanges of [false, true]) {
    it(`reads a pack in one range across a chunk an incremental replaced${streamsRanges ? ' (streamed ranges)' : ''}`, async () => {
      const store = new MemoryRepository({ streamsRanges });
      const repo = await newRepo(store, { encrypted: false, packSizeBytes: 16 * 1024 * 1024 });
      // Incompressible blocks: each is stored whole, a few bytes longer than a block.
      const image = randomBytes(8 * BLOCK);
      await repo.backup(new BufferSource(image), { backupId: 'full' });
      // The block whose chunk lies in the middle of the one pack (blocks may be stored out of order).
      const [handle] = await listAll(store, 'index');
      const { packs } = (await new BlobCodec(undefined, 'zstd', 'blake3').openJson(await store.load(handle))) as { packs: Record<string, Array<[string, number]>> };
      const byOffset = Object.values(packs)[0].sort((a, b) => a[1] - b[1]);
      const block = [...Array(8).keys()].find((b) => blake3(image.subarray(b * BLOCK, (b + 1) * BLOCK)).toString('hex') === byOffset[4][0])!;
      const changed = Buffer.from(image);
      changed[block * BLOCK] ^= 0xff;
      await repo.backup(new BufferSource(changed), { backupId: 'inc' });
      const { image: restored, packReads } = await restoreCountingPackReads(store, repo, 'inc');
      expect(restored.equals(changed)).to.equal(true);
      // The old pack once, around the replaced chunk, and the incremental's pack; a stream reads
      // a pack's first blob on its own (see the streamed ranges' tests), so the old pack twice.
      expect(packReads).to.equal(streamsRanges ? 3 : 2);
    });
  }
});

describe('Backup engine: index loading', () => {
  /** A store that counts index loads in flight, and can fail one index object. */
  class IndexLoadsStore extends MemoryRepository {
    inFlight = 0;
    mostInFlight = 0;
    readonly failing = new Set<string>();

    override async load(h: Parameters<MemoryRepository['load']>[0], range?: Parameters<MemoryRepository['load']>[1]): Promise<Buffer> {
      if (h.kind !== 'index') return super.load(h, range);
      this.inFlight += 1;
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (this.failing.has(h.name)) throw new Error(`index ${h.name} is unreadable`);
        return await super.load(h, range);
      } finally {
        this.inFlight -= 1;
      }
    }
  }

  it('loads the index objects of many backups several at a time, and restores from them', async () => {
    const store = new IndexLoadsStore();
    const repo = await newRepo(store);
    const images = Array.from({ length: 20 }, () => randomBytes(BLOCK));
    for (const [i, image] of images.entries()) await repo.backup(new BufferSource(image), { backupId: `b${i}` });
    const indexes: string[] = [];
    for await (const info of store.list('index')) indexes.push(info.name);
    expect(indexes).to.have.length(20);
    store.mostInFlight = 0;
    const report = await repo.verify('b0');
    expect(report.ok).to.equal(true);
    expect(store.mostInFlight).to.be.within(2, 8);
    expect((await roundTrip(repo, images[19], 'again')).equals(images[19])).to.equal(true);
  });

  it('fails with the error of an index object that cannot be read, leaving no unhandled rejection', async () => {
    const store = new IndexLoadsStore();
    const repo = await newRepo(store);
    for (let i = 0; i < 12; i++) await repo.backup(new BufferSource(randomBytes(BLOCK)), { backupId: `b${i}` });
    const names: string[] = [];
    for await (const info of store.list('index')) names.push(info.name);
    // The first one listed fails while later ones are in flight; one of those fails after it, unawaited.
    store.failing.add(names[0]).add(names[3]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failure = await rejection(repo.verify('b3'));
      expect(failure).to.be.instanceOf(Error).with.property('message', `index ${names[0]} is unreadable`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('Backup engine: keys and integrity', () => {
  it('refuses a wrong passphrase with WrongKeyError, and a missing one', async () => {
    const store = new MemoryRepository();
    await newRepo(store);
    expect(await rejection(BackupRepository.open(store, { passphrase: 'wrong' }))).to.be.instanceOf(WrongKeyError);
    expect(await rejection(BackupRepository.open(store, {}))).to.be.instanceOf(WrongKeyError);
  });

  it('tells the caller once the config is read, before the key is derived, and not when there is no config', async () => {
    const store = new MemoryRepository();
    const events: string[] = [];
    const hooks = { onConfigRead: () => events.push('config read') };
    expect(await unlockIfInitialized(store, SECRET, hooks)).to.equal(undefined);
    expect(events).to.deep.equal([]);
    await newRepo(store);
    const unlocked = await unlockRepository(store, SECRET, hooks).finally(() => events.push('unlocked'));
    expect(events).to.deep.equal(['config read', 'unlocked']);
    expect(unlocked.keys).to.not.equal(undefined);
  });

  it('opens with a key file, and refuses another key file', async () => {
    await withTempDir(async (dir) => {
      const [good, bad] = [join(dir, 'good.key'), join(dir, 'bad.key')];
      await writeFile(good, randomBytes(64));
      await writeFile(bad, randomBytes(64));
      const store = new MemoryRepository();
      await BackupRepository.init(store, { keyFile: good });
      await BackupRepository.open(store, { keyFile: good });
      expect(await rejection(BackupRepository.open(store, { keyFile: bad }))).to.be.instanceOf(WrongKeyError);
    });
  });

  it('detects a tampered pack byte in restore and in verify, naming backup and offset', async () => {
    await expectTamperingDetected(new MemoryRepository());
  });

  it('verifies a healthy backup', async () => {
    const repo = await newRepo();
    await repo.backup(new BufferSource(imageWithHoles(6 * BLOCK)), { backupId: 'ok' });
    expect(await repo.verify('ok')).to.deep.equal({ backupId: 'ok', chunksChecked: 4, errors: [], ok: true });
  });

  it('reports an unknown backup as BackupNotFoundError', async () => {
    const repo = await newRepo();
    expect(await rejection(repo.verify('nope'))).to.be.instanceOf(BackupNotFoundError);
    expect(await rejection(repo.deleteBackup('nope'))).to.be.instanceOf(BackupNotFoundError);
  });
});

/** Flips one byte of every pack, then expects verify to report it and restore to refuse it, naming backup and offset. */
async function expectTamperingDetected(store: MemoryRepository): Promise<void> {
  const repo = await newRepo(store);
  const image = randomBytes(4 * BLOCK);
  await repo.backup(new BufferSource(image), { backupId: 'victim' });
  for await (const pack of store.list('pack')) {
    const bytes = await store.load(pack);
    bytes[bytes.length - 100] ^= 0xff;
    await store.save(pack, () => Readable.from([bytes]));
  }
  const report = await repo.verify('victim');
  expect(report.ok).to.equal(false);
  expect(report.errors).to.have.length(1);
  const offset = Number(/^Backup victim is damaged at offset (\d+):/.exec(report.errors[0])?.[1]);
  expect(offset % BLOCK).to.equal(0);
  expect(offset).to.be.below(image.length);
  const err = await withTempDir((dir) => rejection(repo.restore('victim', join(dir, 't.img'))));
  expect(err).to.be.instanceOf(IntegrityError);
  expect((err as IntegrityError).offset).to.equal(offset);
  expect((err as Error).message).to.contain('victim');
}

/** A streaming memory store whose range streams stop after their first piece: with an error, or ending early. */
function streamsThatStop(how: 'break' | 'end'): MemoryRepository {
  const store = new MemoryRepository({ streamsRanges: true });
  const open = store.openRange!.bind(store);
  const stopping: MemoryRepository['openRange'] = async (h, range, o) => {
    const pieces = (await open(h, range, o))[Symbol.asyncIterator]();
    return Readable.from((async function* () {
      yield (await pieces.next()).value as Buffer;
      if (how === 'break') throw new Error('connection reset by peer');
    })());
  };
  return Object.assign(store, { openRange: stopping });
}

describe('Backup engine: streamed ranges (object stores)', () => {
  const streaming = () => new MemoryRepository({ streamsRanges: true });

  for (const size of [12 * BLOCK, 5 * BLOCK + 12345, 0, 1000]) {
    it(`restores ${size} bytes with holes byte for byte, blobs cut across stream pieces`, async () => {
      const image = imageWithHoles(size);
      expect((await roundTrip(await newRepo(streaming()), image, 'b1')).equals(image)).to.equal(true);
    });
  }

  it('detects a tampered pack byte in restore and in verify, naming backup and offset', async () => {
    await expectTamperingDetected(streaming());
  });

  it('reads each range stream to its end before letting it go (an HTTP connection is then kept)', async () => {
    const store = streaming();
    const open = store.openRange!.bind(store);
    const endedWhenClosed: boolean[] = [];
    const watched: MemoryRepository['openRange'] = async (h, range, o) => {
      const stream = await open(h, range, o);
      stream.on('close', () => endedWhenClosed.push(stream.readableEnded));
      return stream;
    };
    const repo = await newRepo(Object.assign(store, { openRange: watched }));
    const image = imageWithHoles(12 * BLOCK);
    expect((await roundTrip(repo, image, 'b1')).equals(image)).to.equal(true);
    expect(endedWhenClosed).to.have.length.above(0);
    expect(endedWhenClosed.every(Boolean)).to.equal(true);
  });

  it("reads a pack's first blob in a range of its own, and the rest of the pack from past it", async () => {
    const store = streaming();
    const open = store.openRange!.bind(store);
    const ranges: Array<{ pack: string; offset: number; length: number }> = [];
    const recorded: MemoryRepository['openRange'] = async (h, range, o) => (ranges.push({ pack: h.name, ...range }), open(h, range, o));
    const repo = await newRepo(Object.assign(store, { openRange: recorded }), { encrypted: false });
    // Incompressible blocks: each blob is a block and its 1-byte header, four to a 1 MiB pack.
    const image = randomBytes(12 * BLOCK);
    expect((await roundTrip(repo, image, 'b1')).equals(image)).to.equal(true);
    const packs = new Set(ranges.map((r) => r.pack));
    expect(packs.size).to.equal(3);
    for (const pack of packs) {
      const reads = ranges.filter((r) => r.pack === pack).sort((a, b) => a.offset - b.offset);
      expect(reads.map((r) => [r.offset, r.length])).to.deep.equal([[0, BLOCK + 1], [BLOCK + 1, 3 * (BLOCK + 1)]]);
    }
  });

  for (const [how, reason] of [['break', /connection reset by peer/], ['end', /the range ended after \d+ of \d+ bytes/]] as const) {
    it(`fails a restore and reports every unread chunk in verify when a range's stream ${how === 'break' ? 'breaks' : 'ends early'}`, async () => {
      const store = streamsThatStop(how);
      const repo = await newRepo(store);
      await repo.backup(new BufferSource(randomBytes(8 * BLOCK)), { backupId: 'cut' });
      const err = await withTempDir((dir) => rejection(repo.restore('cut', join(dir, 't.img'))));
      expect(err).to.be.instanceOf(IntegrityError);
      expect((err as Error).message).to.match(/Backup cut is damaged at offset \d+: pack [0-9a-f]+ cannot be read/).and.to.match(reason);
      const report = await repo.verify('cut');
      expect(report.ok).to.equal(false);
      // The first piece (7001 bytes) holds no whole 256 KiB chunk: every chunk is reported.
      expect(report.errors).to.have.length(8);
      expect(report.chunksChecked).to.equal(0);
    });
  }
});

describe('Backup engine: format versions', () => {
  const CONFIG = { kind: 'config', name: 'config' } as const;

  async function rewriteConfig(store: MemoryRepository, change: (config: Record<string, unknown>) => void): Promise<void> {
    const config = JSON.parse((await store.load(CONFIG)).toString('utf8')) as Record<string, unknown>;
    change(config);
    await store.save(CONFIG, () => Readable.from([Buffer.from(JSON.stringify(config))]));
  }

  /** The chunk ids the repository's index objects name. */
  async function indexedIds(store: MemoryRepository, hash: 'sha256' | 'blake3'): Promise<string[]> {
    const codec = new BlobCodec(undefined, 'zstd', hash);
    const ids: string[] = [];
    for await (const handle of store.list('index')) {
      const { packs } = (await codec.openJson(await store.load(handle))) as { packs: Record<string, Array<[string]>> };
      for (const entries of Object.values(packs)) ids.push(...entries.map(([id]) => id));
    }
    return ids.sort();
  }

  it('writes new repositories as version 2, with BLAKE3 chunk ids', async () => {
    const store = new MemoryRepository();
    const repo = await BackupRepository.init(store, {}, { encrypted: false });
    const block = randomBytes(BLOCK);
    await repo.backup(new BufferSource(block), { backupId: 'b' });
    expect(repo.config).to.include({ formatVersion: 2, chunkIdHash: 'blake3' });
    expect(await indexedIds(store, 'blake3')).to.deep.equal([blake3(block).toString('hex')]);
  });

  it('still reads and writes a version 1 repository, with SHA-256 chunk ids', async () => {
    const store = new MemoryRepository();
    const old = imageWithHoles(4 * BLOCK);
    const repo = await BackupRepository.init(store, {}, { encrypted: false });
    await rewriteConfig(store, (config) => {
      config.formatVersion = 1;
      delete config.chunkIdHash;
    });
    const reopened = await BackupRepository.open(store, {});
    expect(reopened.config.chunkIdHash).to.equal('sha256');
    expect((await roundTrip(reopened, old, 'v1')).equals(old)).to.equal(true);
    const expected = [1, 2].map((b) => createHash('sha256').update(old.subarray(b * BLOCK, (b + 1) * BLOCK)).digest('hex')).sort();
    expect(await indexedIds(store, 'sha256')).to.deep.equal(expected);
    expect(repo.config.formatVersion).to.equal(2);
  });

  it('refuses an unknown format version, a version 2 config without its chunk id hash, and a malformed config', async () => {
    const store = new MemoryRepository();
    await BackupRepository.init(store, {}, { encrypted: false });
    await rewriteConfig(store, (config) => void (config.compression = 'lz77'));
    const malformed = await rejection(BackupRepository.open(store, {}));
    expect(malformed).to.be.instanceOf(UnsupportedFormatError);
    expect((malformed as Error).message).to.contain('unknown compression lz77');
    await rewriteConfig(store, (config) => void (config.compression = 'zstd'));
    await rewriteConfig(store, (config) => void delete config.chunkIdHash);
    expect(await rejection(BackupRepository.open(store, {}))).to.be.instanceOf(UnsupportedFormatError);
    await rewriteConfig(store, (config) => void (config.formatVersion = 3));
    expect(await rejection(BackupRepository.open(store, {}))).to.be.instanceOf(UnsupportedFormatError);
  });
});
