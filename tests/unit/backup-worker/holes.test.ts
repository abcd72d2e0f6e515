import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupRepository, openBlockFile } from '../../../backup-worker/engine/index.js';
import { MemoryRepository } from '../../../backup-worker/repositories/index.js';
import { holeFinder } from '../../../backup-worker/sources/holes.js';
import { BLOCK, readBack, withTempDir } from '../../support/backup-fixtures.js';

const MIB = 1024 * 1024;

/** A sparse file of `sizeBytes` with random data written only at the given [offset, length] places. */
async function sparseFile(path: string, sizeBytes: number, data: Array<[number, number]>): Promise<Buffer> {
  const image = Buffer.alloc(sizeBytes);
  const fh = await open(path, 'w');
  try {
    await fh.truncate(sizeBytes);
    for (const [offset, length] of data) {
      const bytes = randomBytes(length);
      bytes.copy(image, offset);
      await fh.write(bytes, 0, length, offset);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return image;
}

async function withFinder<T>(path: string, sizeBytes: number, run: (finder: ReturnType<typeof holeFinder>) => T): Promise<T> {
  const fh = await open(path, 'r');
  try {
    return run(holeFinder(fh.fd, sizeBytes));
  } finally {
    await fh.close();
  }
}

// These run on the machine's temporary file system (ext4 on the CI machines), which keeps holes
// at a granularity of 4 KiB; fs-ext is built by the set-up, so the finder must exist here.
describe('Sparse sources: holes found with SEEK_DATA / SEEK_HOLE', () => {
  it('tells holes from data, in increasing order and out of order', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'sparse.img');
      await sparseFile(path, 8 * MIB, [[2 * MIB, 64 * 1024], [5 * MIB, MIB]]);
      await withFinder(path, 8 * MIB, (finder) => {
        expect(finder, 'fs-ext is installed by the set-up').to.not.equal(undefined);
        const asked = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => finder!.isHole(m * MIB, MIB));
        expect(asked).to.deep.equal([true, true, false, true, true, false, true, true]);
        expect(finder!.isHole(2 * MIB - 4096, 4096)).to.equal(true);
        expect(finder!.isHole(2 * MIB - 4096, 8192)).to.equal(false);
        expect(finder!.isHole(0, 2 * MIB)).to.equal(true);
        expect(finder!.isHole(0, 2 * MIB + 1)).to.equal(false);
        expect(finder!.isData(5 * MIB, MIB)).to.equal(true);
        expect(finder!.isHole(7 * MIB, MIB)).to.equal(true);
      });
    });
  });

  it('sees a file that is all hole, and none for a file without holes', async () => {
    await withTempDir(async (dir) => {
      const empty = join(dir, 'empty.img');
      await sparseFile(empty, 4 * MIB, []);
      await withFinder(empty, 4 * MIB, (finder) => expect(finder?.isHole(0, 4 * MIB)).to.equal(true));
      const full = join(dir, 'full.img');
      await sparseFile(full, 2 * MIB, [[0, 2 * MIB]]);
      await withFinder(full, 2 * MIB, (finder) => expect(finder).to.equal(undefined));
    });
  });

  it('backs up a sparse file reading only its data, and restores it byte for byte', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'volume.img');
      const size = 64 * BLOCK + 5000;
      const image = await sparseFile(path, size, [[3 * BLOCK + 100, 10], [40 * BLOCK, 2 * BLOCK], [64 * BLOCK, 5000]]);
      const source = await openBlockFile(path);
      let bytesRead = 0;
      const read = source.read.bind(source);
      source.read = (offset, length, into) => ((bytesRead += length), read(offset, length, into));
      const repo = await BackupRepository.init(new MemoryRepository(), {}, { encrypted: false });
      const summary = await repo.backup(source, { backupId: 'b1' }).finally(() => source.close());
      expect(bytesRead).to.equal(3 * BLOCK + 5000);
      expect(summary.newChunkCount).to.equal(4);
      const target = join(dir, 'restored.img');
      await repo.restore('b1', target);
      expect((await readBack(target)).equals(image)).to.equal(true);
    });
  });
});
