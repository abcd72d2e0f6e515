import { mkdtemp, readdir, rm } from 'node:fs/promises';
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

  it('refuses URL schemes it does not know', () => {
    expect(() => openRepositoryStore('s3://bucket/prefix')).to.throw(/scheme not supported: s3/);
  });
});
