import { open, type FileHandle } from 'node:fs/promises';
import { InvalidInputError } from '../../common/errors.js';
import { isDirectAligned, openDirectForWriting, writeDirect } from '../../common/direct-io.js';
import { BufferPool } from './buffer-pool.js';
import type { Manifest } from './manifest.js';
import { closeFd, writeAllAt } from '../../common/positional-io.js';

/** The O_DIRECT descriptor of the target and the aligned buffers its writes go from. */
interface DirectWriter {
  readonly fd: number;
  readonly slots: BufferPool;
  readonly slotBytes: number;
}

/**
 * The file or block device a restore writes. Whole aligned chunks go through O_DIRECT: no page
 * cache is filled (and evicted from the host's other work) for data that must reach the disk before
 * the restore is done anyway, and the write costs a DMA from a reused buffer instead of a copy into
 * fresh pages (docs/benchmarks.md). What cannot go direct (an unaligned tail, a filesystem without
 * O_DIRECT) is written through the page cache and flushed in the background.
 */
export class RestoreTarget {
  readonly #fh: FileHandle;
  readonly #flusher: BackgroundFlusher;
  #direct: DirectWriter | undefined;

  private constructor(fh: FileHandle, direct: DirectWriter | undefined) {
    this.#fh = fh;
    this.#flusher = new BackgroundFlusher(fh);
    this.#direct = direct;
  }

  /**
   * Opens `path` (a file is created, or cut to the image's size with the holes left sparse; on a
   * block device the holes are written as zeros). `directWrites`: how many chunks may be written at once.
   */
  static async open(path: string, manifest: Manifest, directWrites: number): Promise<{ target: RestoreTarget; holeBytes: number }> {
    const fh = await openTarget(path);
    try {
      const holeBytes = await prepareTarget(fh, manifest, path);
      const fd = await openDirectForWriting(path);
      const slotBytes = manifest.chunkSizeBytes;
      const direct: DirectWriter | undefined = fd === undefined ? undefined : { fd, slots: BufferPool.aligned(directWrites, slotBytes), slotBytes };
      return { target: new RestoreTarget(fh, direct), holeBytes };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async write(data: Buffer, offset: number): Promise<void> {
    if (!(await this.#writeDirect(data, offset))) {
      await writeAllAt(this.#fh.fd, data, offset, WRITE_BYTES);
      this.#flusher.wrote(data.length);
    }
  }

  /** Makes everything written durable (a restore is done only once its data is on the device). */
  async finish(): Promise<void> {
    await this.#flusher.settle();
    await this.#fh.datasync();
  }

  async close(): Promise<void> {
    const fd = this.#direct?.fd;
    this.#direct = undefined;
    try {
      if (fd !== undefined) await closeFd(fd);
    } finally {
      await this.#fh.close();
    }
  }

  /** False when the chunk must go through the page cache instead. */
  async #writeDirect(data: Buffer, offset: number): Promise<boolean> {
    const direct = this.#direct;
    if (!direct || data.length > direct.slotBytes || !isDirectAligned(offset, data.length)) return false;
    const slot = await direct.slots.take();
    try {
      data.copy(slot);
      if (await writeDirect(direct.fd, slot.subarray(0, data.length), offset)) return true;
      // A device or filesystem whose alignment is stricter than ours: the cache takes the rest.
      this.#direct = undefined;
      return false;
    } finally {
      direct.slots.give(slot);
    }
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
