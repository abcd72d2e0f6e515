import { expect } from 'chai';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BackupRepository } from '../../../backup-worker/engine/index.js';
import { MemoryRepository, RepositoryError, type ObjectHandle } from '../../../backup-worker/repositories/index.js';
import { BLOCK, BufferSource, imageWithHoles, readBack, withTempDir } from '../../support/backup-fixtures.js';

const SMALL_PACKS = { packSizeBytes: 1024 * 1024 };

/** A memory store whose pack saves start failing after `okPacks` of them (a server that went away). */
class FailingPackStore extends MemoryRepository {
  #packs = 0;
  readonly #okPacks: number;

  constructor(okPacks: number) {
    super();
    this.#okPacks = okPacks;
  }

  override async save(h: ObjectHandle, body: () => Readable): Promise<void> {
    if (h.kind === 'pack' && ++this.#packs > this.#okPacks) throw new RepositoryError('save (test server gone)');
    return super.save(h, body);
  }
}

async function restoreOf(repo: BackupRepository, backupId: string): Promise<Buffer> {
  return withTempDir(async (dir) => {
    await repo.restore(backupId, join(dir, 'out.img'));
    return readBack(join(dir, 'out.img'));
  });
}

describe('Backup engine: one backup into several repositories', () => {
  it('writes complete, independently restorable copies under different keys and compressions', async () => {
    const a = await BackupRepository.init(new MemoryRepository(), { passphrase: 'one' }, SMALL_PACKS);
    const b = await BackupRepository.init(new MemoryRepository(), { passphrase: 'two' }, { ...SMALL_PACKS, compression: 'gzip' });
    const c = await BackupRepository.init(new MemoryRepository(), {}, { ...SMALL_PACKS, encrypted: false });
    const image = imageWithHoles(20 * BLOCK + 999);
    const outcomes = await BackupRepository.backupToAll([a, b, c], new BufferSource(image), { backupId: 'r1' });
    expect(outcomes.map((o) => o.ok)).to.deep.equal([true, true, true]);
    for (const repo of [a, b, c]) expect((await restoreOf(repo, 'r1')).equals(image)).to.equal(true);
    const [sa, sb] = outcomes.map((o) => (o.ok ? o.summary : undefined));
    expect(sa!.newChunkCount).to.equal(sb!.newChunkCount);
  });

  it('keeps the other copies going when one repository fails mid-way, and leaves no manifest in the failed one', async () => {
    const failing = new FailingPackStore(1);
    const good = await BackupRepository.init(new MemoryRepository(), { passphrase: 'one' }, SMALL_PACKS);
    const bad = await BackupRepository.init(failing, { passphrase: 'two' }, SMALL_PACKS);
    const image = imageWithHoles(40 * BLOCK);
    const [okOutcome, badOutcome] = await BackupRepository.backupToAll([good, bad], new BufferSource(image), { backupId: 'r2' });
    expect(okOutcome.ok).to.equal(true);
    expect(badOutcome.ok).to.equal(false);
    expect(String((badOutcome as { error: Error }).error.message)).to.match(/test server gone/);
    expect((await restoreOf(good, 'r2')).equals(image)).to.equal(true);
    expect((await bad.listBackups()).map((m) => m.backupId)).to.deep.equal([]);
  });

  it('reports every copy failed when all repositories fail', async () => {
    const bad1 = await BackupRepository.init(new FailingPackStore(0), { passphrase: 'x' }, SMALL_PACKS);
    const bad2 = await BackupRepository.init(new FailingPackStore(0), { passphrase: 'y' }, SMALL_PACKS);
    const outcomes = await BackupRepository.backupToAll([bad1, bad2], new BufferSource(imageWithHoles(20 * BLOCK)), { backupId: 'r3' });
    expect(outcomes.map((o) => o.ok)).to.deep.equal([false, false]);
  });
});
