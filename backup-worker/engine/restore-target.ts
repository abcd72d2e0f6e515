import { open, type FileHandle } from 'node:fs/promises';
import { InvalidInputError } from '../../common/errors.js';
import { openDirectForWriting, writeDirect } from '../../common/direct-io.js';
import { DirectRunWriter } from './direct-runs.js';
import type { Manifest } from './manifest.js';
import { closeFd, writeAllAt } from '../../common/positional-io.js';

/** The O_DIRECT descriptor of the target and the writer of its runs. */
interface DirectTarget {
  readonly fd: number;
  readonly writer: DirectRunWriter;
}

/** How a restore's direct writes are gathered (see DirectRunWriter). */
const DIRECT_RUN_BYTES = 1024 * 1024;
const DIRECT_OPEN_RUNS = 2;
/** Runs open or being written: libuv's four pool threads write four at the most. */
const DIRECT_RUN_BUFFERS = 6;

/**
 * The file or block device a restore writes. Whole aligned chunks go through O_DIRECT, gathered
 * into larger writes: no page cache is filled (and evicted from the host's other work) for data
 * that must reach the disk before the restore is done anyway, and the write costs a DMA from a
 * reused buffer instead of a copy into fresh pages (docs/benchmarks.md). What cannot go direct (an
 * unaligned tail, a filesystem without O_DIRECT) is written through the page cache and flushed in
 * the background.
 */
export class RestoreTarget {
  readonly #fh: FileHandle;
  readonly #flusher: BackgroundFlusher;
  readonly #direct: DirectTarget | undefined;

  private constructor(fh: FileHandle, directFd: number | undefined, chunkBytes: number) {
    this.#fh = fh;
    this.#flusher = new BackgroundFlusher(fh);
    if (directFd === undefined) return;
    const runBytes = Math.max(DIRECT_RUN_BYTES, chunkBytes);
    const options = { runBytes, buffers: DIRECT_RUN_BUFFERS, openRuns: DIRECT_OPEN_RUNS };
    const sink = { direct: (data: Buffer, offset: number) => writeDirect(directFd, data, offset), cached: (data: Buffer, offset: number) => this.#writeCached(data, offset) };
    this.#direct = { fd: directFd, writer: new DirectRunWriter(sink, options) };
  }

  /**
   * Opens `path` (a file is created, or cut to the image's size with the holes left sparse; on a
   * block device the holes are written as zeros).
   */
  static async open(path: string, manifest: Manifest): Promise<{ target: RestoreTarget; holeBytes: number }> {
    const fh = await openTarget(path);
    try {
      const holeBytes = await prepareTarget(fh, manifest, path);
      const directFd = await openDirectForWriting(path);
      return { target: new RestoreTarget(fh, directFd, manifest.chunkSizeBytes), holeBytes };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Resolves once `data` is written, or copied into a buffer that a direct write goes on from. */
  async write(data: Buffer, offset: number): Promise<void> {
    const writer = this.#direct?.writer;
    if (writer?.accepts(data.length, offset)) await writer.write(data, offset);
    else await this.#writeCached(data, offset);
  }

  /** Makes everything written durable (a restore is done only once its data is on the device). */
  async finish(): Promise<void> {
    await this.#direct?.writer.flush();
    await this.#flusher.settle();
    await this.#fh.datasync();
  }

  async close(): Promise<void> {
    try {
      if (this.#direct) {
        await this.#direct.writer.settle();
        await closeFd(this.#direct.fd);
      }
    } finally {
      await this.#fh.close();
    }
  }

  async #writeCached(data: Buffer, offset: number): Promise<void> {
    await writeAllAt(this.#fh.fd, data, offset, WRITE_BYTES);
    this.#flusher.wrote(data.length);
  }
}

/** Bytes written through the page cache between two background flushes. */
const FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

/**
 * Flushes what was written through the page cache in the background, one fdatasync at a time, so
 * that the device writes overlap the decoding and the final fdatasync has little left to do.
 */
class BackgroundFlusher {
  readonly #fh: FileHandle;
  #unflushed = 0;
  #flushing: Promise<void> | undefined;

  constructor(fh: FileHandle) {
    this.#fh = fh;
  }

  wrote(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#flushing || this.#unflushed < FLUSH_EVERY_BYTES) return;
    this.#unflushed = 0;
    this.#flushing = this.#fh.datasync().finally(() => {
      this.#flushing = undefined;
    });
  }

  /** Waits for the flush in flight; its failure shows again in the final fdatasync. */
  async settle(): Promise<void> {
    await this.#flushing?.catch(() => undefined);
  }
}

async function openTarget(target: string): Promise<FileHandle> {
  try {
    return await open(target, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return open(target, 'w');
    throw new InvalidInputError(`cannot open restore target ${target} (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** Returns the bytes already in place (the holes). */
async function prepareTarget(fh: FileHandle, manifest: Manifest, target: string): Promise<number> {
  const info = await fh.stat();
  const holes = manifest.extents.filter((e) => e[2] === null);
  const holeBytes = holes.reduce((sum, e) => sum + e[1], 0);
  if (info.isFile()) {
    await fh.truncate(0);
    await fh.truncate(manifest.source.sizeBytes);
    return holeBytes;
  }
  if (!info.isBlockDevice()) throw new InvalidInputError(`restore target ${target} is neither a file nor a block device`);
  const zero = Buffer.alloc(manifest.chunkSizeBytes);
  for (const [offset, length] of holes) {
    for (let at = 0; at < length; at += zero.length) await writeAllAt(fh.fd, zero.subarray(0, Math.min(zero.length, length - at)), offset + at, WRITE_BYTES);
  }
  return holeBytes;
}

/**
 * Page-cache writes of 128–256 KiB were much faster here than larger ones
 * (shared/reference/engine-performance.md). 256 KiB writes a default chunk in one call: each call
 * wakes a pool thread, which takes the core from the event loop (docs/benchmarks.md).
 */
const WRITE_BYTES = 256 * 1024;
