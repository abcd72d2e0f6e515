import { expect } from 'chai';
import { Readable } from 'node:stream';
import { ObjectNotFoundError, type ObjectInfo, type Repository } from '../../../backup-worker/repositories/index.js';

async function collect(items: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const item of items) all.push(item);
  return all.sort((a, b) => a.name.localeCompare(b.name));
}

const body = (...parts: string[]) => () => Readable.from(parts.map((p) => Buffer.from(p)));

/**
 * One suite every repository backend passes (as restic's backend/test/suite.go). `streamsRanges`:
 * the backend offers openRange (object stores), whose stream is then checked too.
 */
export function repositoryConformance(name: string, open: () => Promise<Repository>, { streamsRanges = false } = {}): void {
  describe(`Repository conformance: ${name}`, () => {
    let repo: Repository;
    beforeEach(async () => {
      repo = await open();
    });
    afterEach(async () => {
      await repo.close();
    });

    it('saves an object from several parts and loads it whole and by range', async () => {
      await repo.save({ kind: 'pack', name: 'ab12' }, body('hello ', 'world'));
      expect((await repo.load({ kind: 'pack', name: 'ab12' })).toString()).to.equal('hello world');
      expect((await repo.load({ kind: 'pack', name: 'ab12' }, { offset: 6, length: 5 })).toString()).to.equal('world');
      expect(await repo.stat({ kind: 'pack', name: 'ab12' })).to.deep.equal({ kind: 'pack', name: 'ab12', sizeBytes: 11 });
    });

    it('saves an empty object', async () => {
      await repo.save({ kind: 'lock', name: 'empty' }, body());
      expect((await repo.load({ kind: 'lock', name: 'empty' })).length).to.equal(0);
    });

    it('replaces an object saved again under the same name', async () => {
      await repo.save({ kind: 'config', name: 'config' }, body('one'));
      await repo.save({ kind: 'config', name: 'config' }, body('two'));
      expect((await repo.load({ kind: 'config', name: 'config' })).toString()).to.equal('two');
    });

    it('lists objects by kind only', async () => {
      await repo.save({ kind: 'pack', name: 'aa01' }, body('1'));
      await repo.save({ kind: 'pack', name: 'bb02' }, body('22'));
      await repo.save({ kind: 'index', name: 'aa03' }, body('333'));
      const packs = await collect(repo.list('pack'));
      expect(packs.map((p) => [p.name, p.sizeBytes])).to.deep.equal([['aa01', 1], ['bb02', 2]]);
      expect((await collect(repo.list('manifest'))).length).to.equal(0);
    });

    it('removes objects; missing objects raise ObjectNotFoundError everywhere', async () => {
      const h = { kind: 'manifest', name: 'gone' } as const;
      await repo.save(h, body('x'));
      await repo.remove(h);
      for (const call of [() => repo.load(h), () => repo.stat(h), () => repo.remove(h), () => repo.load(h, { offset: 0, length: 1 })]) {
        const err = await call().then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(ObjectNotFoundError);
      }
    });

    it('refuses names that are not plain tokens', async () => {
      const err = await repo.save({ kind: 'pack', name: '../escape' }, body('x')).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect(await collect(repo.list('pack'))).to.have.length(0);
    });

    it('removeTemporaries keeps complete objects and counts what it removed', async () => {
      await repo.save({ kind: 'pack', name: 'ee01' }, body('kept'));
      expect(await repo.removeTemporaries(['pack', 'index'])).to.be.a('number').that.is.at.least(0);
      expect((await repo.load({ kind: 'pack', name: 'ee01' })).toString()).to.equal('kept');
    });

    it(streamsRanges ? 'streams ranges' : 'does not claim to stream ranges', () => {
      expect(repo.openRange !== undefined).to.equal(streamsRanges);
    });

    if (streamsRanges) it('streams a range of an object byte for byte; a missing object is ObjectNotFoundError', async () => {
      const data = Buffer.alloc(300_000, 'abcdefghij');
      await repo.save({ kind: 'pack', name: 'dd01' }, () => Readable.from([data]));
      for (const range of [{ offset: 0, length: data.length }, { offset: 12_345, length: 200_000 }]) {
        const stream = await repo.openRange!({ kind: 'pack', name: 'dd01' }, range);
        const parts: Buffer[] = [];
        for await (const part of stream) parts.push(part as Buffer);
        expect(Buffer.concat(parts).equals(data.subarray(range.offset, range.offset + range.length))).to.equal(true);
      }
      const missing = await repo.openRange!({ kind: 'pack', name: 'ff09' }, { offset: 0, length: 1 }).then(() => undefined, (e: unknown) => e);
      expect(missing).to.be.instanceOf(ObjectNotFoundError);
    });

    it('leaves nothing behind when the body fails mid-way', async () => {
      const failing = () =>
        Readable.from(
          (async function* () {
            yield Buffer.from('partial');
            throw new Error('source broke');
          })(),
        );
      const err = await repo.save({ kind: 'pack', name: 'cc01' }, failing).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect(await collect(repo.list('pack'))).to.have.length(0);
    });
  });
}
