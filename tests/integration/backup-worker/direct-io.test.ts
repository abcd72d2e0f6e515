import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { DIRECT_IO_ALIGNMENT } from '../../../common/direct-io.js';
import { BackupRepository } from '../../../backup-worker/engine/index.js';
import { BufferPool } from '../../../backup-worker/engine/buffer-pool.js';
import { LocalRepository, MemoryRepository } from '../../../backup-worker/repositories/index.js';
import { BLOCK, BufferSource, imageWithHoles, withTempDir } from '../../support/backup-fixtures.js';

const run = promisify(execFile);
const AGENT = join(process.cwd(), 'dist', 'bin', 'floe-agent.js');

/** Pages of `file` in the page cache (util-linux's fincore): what went through the cache and stayed. */
async function cachedPages(file: string): Promise<number> {
  const { stdout } = await run('fincore', ['--noheadings', '--output', 'PAGES', file]);
  return Number(stdout.trim());
}

function pagesOf(bytes: number): number {
  return Math.ceil(bytes / DIRECT_IO_ALIGNMENT);
}

describe('Direct I/O on local disks (page cache left alone)', () => {
  it('saves an aligned pack to a local repository with O_DIRECT, all but its unaligned tail', async () => {
    await withTempDir(async (dir) => {
      const [buffer] = [await BufferPool.aligned(1, 4 * 1024 * 1024).take()];
      const pack = buffer.subarray(0, 3 * 1024 * 1024 + 1234);
      for (let i = 0; i < pack.length; i++) pack[i] = (i * 7) & 0xff;
      await new LocalRepository(dir).save({ kind: 'pack', name: 'ab01' }, () => Readable.from([pack]));
      const file = join(dir, 'packs', 'ab', 'ab01');
      expect(await cachedPages(file)).to.be.at.most(1);
      expect((await readFile(file)).equals(pack)).to.equal(true);
    });
  });

  it('saves a buffer that O_DIRECT refuses (not aligned) through the page cache, intact', async () => {
    await withTempDir(async (dir) => {
      // Node's own buffers start 16 bytes past a page: the direct write fails with EINVAL.
      const body = [Buffer.allocUnsafeSlow(2 * 1024 * 1024).fill(5), Buffer.from('tail')];
      await new LocalRepository(dir).save({ kind: 'index', name: 'cd02' }, () => Readable.from(body));
      const file = join(dir, 'index', 'cd02');
      expect((await readFile(file)).equals(Buffer.concat(body))).to.equal(true);
      expect(await cachedPages(file)).to.be.above(pagesOf(1024 * 1024));
    });
  });

  it('restores aligned chunks with O_DIRECT and the unaligned tail through the cache, byte for byte', async () => {
    const tail = 12345;
    const image = imageWithHoles(8 * BLOCK + tail);
    const repo = await BackupRepository.init(new MemoryRepository(), { passphrase: 'direct' }, { packSizeBytes: 1024 * 1024 });
    await repo.backup(new BufferSource(image), { backupId: 'b1' });
    await withTempDir(async (dir) => {
      const target = join(dir, 'restored.img');
      await repo.restore('b1', target);
      expect(await cachedPages(target)).to.be.at.most(pagesOf(tail));
      expect((await readFile(target)).equals(image)).to.equal(true);
    });
  });

  it('backs up and restores under an address-space limit that refuses aligned memory, through the page cache', async function () {
    this.timeout(60_000);
    await withTempDir(async (dir) => {
      const image = imageWithHoles(6 * BLOCK + 777);
      await writeFile(join(dir, 'image'), image);
      await writeFile(join(dir, 'pw'), 'limited\n');
      // 4 GB of address space runs Node, but not a WebAssembly memory (V8 reserves more for each).
      const agent = (args: string) => `"${process.execPath}" "${AGENT}" ${args} --repo repo --password-file pw`;
      const script = ['ulimit -v 4000000', agent('init'), agent('backup image --id b1'), agent('restore b1 restored')].join(' && ');
      await run('bash', ['-c', script], { cwd: dir });
      expect((await readFile(join(dir, 'restored'))).equals(image)).to.equal(true);
    });
  });
});
