import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BackupRepository, RepositoryLockedError } from '../../../backup-worker/engine/index.js';
import { MemoryRepository, type ObjectKind } from '../../../backup-worker/repositories/index.js';
import { BLOCK, BufferSource, readBack, rejection, withTempDir } from '../../support/backup-fixtures.js';

const SECRET = { passphrase: 'pw' };

async function count(store: MemoryRepository, kind: ObjectKind): Promise<number> {
  let n = 0;
  for await (const _ of store.list(kind)) n += 1;
  return n;
}

async function restoresTo(repo: BackupRepository, backupId: string, image: Buffer): Promise<boolean> {
  return withTempDir(async (dir) => {
    await repo.restore(backupId, join(dir, 'r.img'));
    return (await readBack(join(dir, 'r.img'))).equals(image);
  });
}

function gate(): { open: Promise<void>; release: () => void } {
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  return { open, release };
}

describe('Backup engine: delete and prune', () => {
  let store: MemoryRepository;
  let repo: BackupRepository;
  beforeEach(async () => {
    store = new MemoryRepository();
    repo = await BackupRepository.init(store, SECRET, { packSizeBytes: 512 * 1024 });
  });

  it('deleting a middle backup leaves the others restorable, before and after prune', async () => {
    const images = [randomBytes(6 * BLOCK), randomBytes(6 * BLOCK), randomBytes(6 * BLOCK)];
    images[2] = Buffer.concat([images[0].subarray(0, 3 * BLOCK), images[2].subarray(3 * BLOCK)]);
    for (const [i, image] of images.entries()) await repo.backup(new BufferSource(image), { backupId: `b${i}` });
    await repo.deleteBackup('b1');
    expect((await repo.listBackups()).map((b) => b.backupId)).to.deep.equal(['b0', 'b2']);
    expect(await restoresTo(repo, 'b2', images[2])).to.equal(true);
    const report = await repo.prune();
    expect(report.packsRemoved).to.be.above(0);
    expect(report.bytesFreed).to.be.at.least(5 * BLOCK);
    expect(await restoresTo(repo, 'b0', images[0])).to.equal(true);
    expect(await restoresTo(repo, 'b2', images[2])).to.equal(true);
    expect((await repo.verify('b2')).ok).to.equal(true);
  });

  it('prune removes nothing when every chunk is referenced', async () => {
    await repo.backup(new BufferSource(randomBytes(8 * BLOCK)), { backupId: 'only' });
    const packs = await count(store, 'pack');
    expect(await repo.prune()).to.deep.equal({ packsRemoved: 0, packsRewritten: 0, bytesFreed: 0, temporariesRemoved: 0 });
    expect(await count(store, 'pack')).to.equal(packs);
    expect((await repo.verify('only')).ok).to.equal(true);
  });

  it('rewrites a pack that is mostly unreferenced, keeping its live chunks', async () => {
    const big = await BackupRepository.init(new MemoryRepository(), SECRET, { packSizeBytes: 64 * 1024 * 1024 });
    const image = randomBytes(8 * BLOCK);
    await big.backup(new BufferSource(image), { backupId: 'a' });
    await big.backup(new BufferSource(image.subarray(0, BLOCK)), { backupId: 'small' });
    await big.deleteBackup('a');
    const report = await big.prune();
    expect(report).to.include({ packsRemoved: 1, packsRewritten: 1 });
    expect(await restoresTo(big, 'small', image.subarray(0, BLOCK))).to.equal(true);
  });

  it('an aborted backup leaves no manifest; prune removes its packs; the next backup works', async () => {
    const image = randomBytes(16 * BLOCK);
    const held = gate();
    const controller = new AbortController();
    const running = repo.backup(new BufferSource(image, 'v', { offset: 12 * BLOCK, open: held.open }), {
      backupId: 'aborted',
      signal: controller.signal,
    });
    while ((await count(store, 'pack')) === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    held.release();
    expect(await rejection(running)).to.have.property('name', 'AbortError');
    expect(await count(store, 'manifest')).to.equal(0);
    expect(await count(store, 'lock')).to.equal(0);
    const report = await repo.prune();
    expect(report.packsRemoved).to.be.above(0);
    expect(await count(store, 'pack')).to.equal(0);
    await repo.backup(new BufferSource(image), { backupId: 'next' });
    expect(await restoresTo(repo, 'next', image)).to.equal(true);
  });

  it('prune refuses while a backup is running (shared lock), and works after', async () => {
    const held = gate();
    const running = repo.backup(new BufferSource(randomBytes(8 * BLOCK), 'v', { offset: 4 * BLOCK, open: held.open }), {
      backupId: 'slow',
    });
    while ((await count(store, 'lock')) === 0) await new Promise((r) => setTimeout(r, 5));
    const err = await rejection(repo.prune());
    expect(err).to.be.instanceOf(RepositoryLockedError);
    expect((err as Error).message).to.contain('backup slow');
    held.release();
    await running;
    await repo.prune();
    expect((await repo.verify('slow')).ok).to.equal(true);
  });
});
