import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { LocalRepository, MemoryRepository, openRepositoryStore } from '../../../backup-worker/repositories/index.js';
import { repositoryConformance } from './repository-conformance.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

repositoryConformance('memory', async () => new MemoryRepository());
repositoryConformance('memory, streaming ranges', async () => new MemoryRepository({ streamsRanges: true }), { streamsRanges: true });
repositoryConformance('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-repo-'));
  dirs.push(dir);
  return new LocalRepository(dir);
});

describe('LocalRepository layout', () => {
  it('shards packs by the first two characters and opens file:// URLs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-repo-'));
    dirs.push(dir);
    const repo = openRepositoryStore(`file://${dir}`);
    await repo.save({ kind: 'pack', name: 'f00d' }, () => Readable.from([Buffer.from('x')]));
    expect(await readdir(join(dir, 'packs', 'f0'))).to.deep.equal(['f00d']);
  });

  it('removeTemporaries deletes .tmp-* leftovers of the given kinds only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-repo-'));
    dirs.push(dir);
    const repo = new LocalRepository(dir);
    await repo.save({ kind: 'pack', name: 'ab01' }, () => Readable.from([Buffer.from('kept')]));
    await mkdir(join(dir, 'locks'), { recursive: true });
    await writeFile(join(dir, 'packs', 'ab', '.tmp-cut'), 'partial');
    await writeFile(join(dir, 'locks', '.tmp-taking'), 'partial');
    expect(await repo.removeTemporaries(['pack', 'index'])).to.equal(1);
    expect(await readdir(join(dir, 'packs', 'ab'))).to.deep.equal(['ab01']);
    expect(await readdir(join(dir, 'locks'))).to.deep.equal(['.tmp-taking']);
  });

  it('refuses URL schemes it does not know', () => {
    expect(() => openRepositoryStore('s3://bucket/prefix')).to.throw(/scheme not supported: s3/);
  });
});
