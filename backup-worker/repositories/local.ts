import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DIRECT_IO_ALIGNMENT, openDirectForWriting, writeDirect } from '../../common/direct-io.js';
import { closeFd, writeAllAt } from '../../common/positional-io.js';
import {
  checkObjectName,
  ObjectNotFoundError,
  RepositoryError,
  type ByteRange,
  type LoadOptions,
  type ObjectHandle,
  type ObjectInfo,
  type ObjectKind,
  type Repository,
  LOCAL_CONCURRENCY,
} from './repository.js';
import { objectDir, KIND_DIRS, TEMP_PREFIX } from './layout.js';


/**
 * A directory (local disk or an NFS/GlusterFS mount). Packs are sharded by the first two
 * characters of their name. Writes go to a temporary file, are fsynced, then renamed into place.
 */
export class LocalRepository implements Repository {
  readonly concurrency = LOCAL_CONCURRENCY;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async save(h: ObjectHandle, body: () => Readable): Promise<void> {
    checkObjectName(h);
    const dir = this.#dirOf(h);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await writeDurably(temp, body());
      await rename(temp, join(dir, h.name));
      await syncDirectory(dir);
    } catch (err) {
      await rm(temp, { force: true });
      throw new RepositoryError(`local.save(${h.kind}/${h.name})`, { cause: err });
    }
  }

  async load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    const fh = await this.#open(h);
    try {
      const length = range ? range.length : (await fh.stat()).size;
      const into = o?.into && o.into.length >= length ? o.into : Buffer.allocUnsafe(length);
      return await readFully(fh, range?.offset ?? 0, into.subarray(0, length));
    } finally {
      await fh.close();
    }
  }

  async stat(h: ObjectHandle): Promise<ObjectInfo> {
    try {
      const info = await stat(this.#pathOf(h));
      return { kind: h.kind, name: h.name, sizeBytes: info.size };
    } catch (err) {
      throw classify(err, h, 'stat');
    }
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    const top = join(this.#root, KIND_DIRS[kind]);
    const dirs = kind === 'pack' ? (await entriesOf(top)).map((d) => join(top, d)) : [top];
    for (const dir of dirs) {
      for (const name of await entriesOf(dir)) {
        if (name.startsWith(TEMP_PREFIX)) continue;
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (info?.isFile()) yield { kind, name, sizeBytes: info.size };
      }
    }
  }

  async remove(h: ObjectHandle): Promise<void> {
    try {
      await rm(this.#pathOf(h));
    } catch (err) {
      throw classify(err, h, 'remove');
    }
  }

  async removeTemporaries(kinds: readonly ObjectKind[]): Promise<number> {
    let removed = 0;
    for (const kind of kinds) {
      const top = join(this.#root, KIND_DIRS[kind]);
      const dirs = kind === 'pack' ? (await entriesOf(top)).filter((d) => !d.startsWith(TEMP_PREFIX)).map((d) => join(top, d)) : [top];
      for (const dir of dirs) {
        for (const name of (await entriesOf(dir)).filter((n) => n.startsWith(TEMP_PREFIX))) {
          await rm(join(dir, name), { force: true });
          removed += 1;
        }
      }
    }
    return removed;
  }

  async close(): Promise<void> {}

  async #open(h: ObjectHandle): Promise<FileHandle> {
    try {
      return await open(this.#pathOf(h), 'r');
    } catch (err) {
      throw classify(err, h, 'load');
    }
  }

  #dirOf(h: ObjectHandle): string {
    return join(this.#root, objectDir(h));
  }

  #pathOf(h: ObjectHandle): string {
    checkObjectName(h);
    return join(this.#dirOf(h), h.name);
  }
}

/**
 * Writes the body and fsyncs it. The aligned part of each buffer goes through O_DIRECT when the
 * filesystem and the buffer allow it (pack buffers are allocated aligned): a pack must reach the
 * disk before its save is done, and written direct it neither fills the page cache nor costs a copy
 * into fresh pages (docs/benchmarks.md). The rest goes through the page cache.
 */
async function writeDurably(path: string, body: Readable): Promise<void> {
  const fh = await open(path, 'wx');
  let direct: number | undefined;
  try {
    direct = await openDirectForWriting(path);
    let position = 0;
    for await (const part of body) {
      const data = Buffer.isBuffer(part) ? part : Buffer.from(part as string);
      const aligned = directPrefix(position, data.length);
      let done = 0;
      if (direct !== undefined && aligned > 0) {
        if (await writeDirect(direct, data.subarray(0, aligned), position)) done = aligned;
        else {
          // Refused (a buffer that is not aligned): the rest of the object goes through the cache.
          await closeFd(direct);
          direct = undefined;
        }
      }
      await writeAllAt(fh.fd, data.subarray(done), position + done);
      position += data.length;
    }
    await fh.sync();
  } finally {
    if (direct !== undefined) await closeFd(direct);
    await fh.close();
  }
}

/** The bytes of a write at `position` that O_DIRECT can take: whole aligned blocks from an aligned start. */
function directPrefix(position: number, length: number): number {
  return position % DIRECT_IO_ALIGNMENT === 0 ? length - (length % DIRECT_IO_ALIGNMENT) : 0;
}

/** Makes the rename durable; some filesystems (and NFS) refuse to open a directory: ignore that. */
async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

async function readFully(fh: FileHandle, offset: number, buffer: Buffer): Promise<Buffer> {
  const length = buffer.length;
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RepositoryError(`local.list(${dir})`, { cause: err });
  }
}

function classify(err: unknown, h: ObjectHandle, call: string): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new ObjectNotFoundError(h);
  return new RepositoryError(`local.${call}(${h.kind}/${h.name})`, { cause: err });
}
