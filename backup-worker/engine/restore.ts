import { open, type FileHandle } from 'node:fs/promises';
import { InvalidInputError } from '../../common/errors.js';
import type { BlobCodec } from './blob-codec.js';
import type { Progress } from './block-source.js';
import type { ChunkIndex } from './chunk-index.js';
import { readChunks } from './chunk-reader.js';
import type { Manifest } from './manifest.js';
import { writeAt } from './positional-io.js';
import type { ObjectStore } from './store.js';

export interface RestoreOptions {
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface RestoreSummary {
  backupId: string;
  sizeBytes: number;
}

export interface RestoreSource {
  readonly store: ObjectStore;
  readonly codec: BlobCodec;
  readonly index: ChunkIndex;
}

/**
 * Writes a backup's image to a file (created, or cut to the image's size, holes left sparse) or
 * to a block device of at least that size (holes written as zeros). Every chunk is checked first.
 */
export async function runRestore(source: RestoreSource, manifest: Manifest, target: string, options: RestoreOptions): Promise<RestoreSummary> {
  const size = manifest.source.sizeBytes;
  const fh = await openTarget(target);
  try {
    let done = await prepareTarget(fh, manifest, target);
    options.progress?.(done, size);
    const flusher = new BackgroundFlusher(fh);
    await readChunks(source, manifest, {
      onChunk: async (plain, use) => {
        for (const offset of use.offsets) await writeAll(fh, plain, offset);
        done += plain.length * use.offsets.length;
        flusher.wrote(plain.length * use.offsets.length);
        options.progress?.(done, size);
      },
      onError: (error) => {
        throw error;
      },
    }, options.signal);
    await flusher.settle();
    await fh.datasync();
  } finally {
    await fh.close();
  }
  return { backupId: manifest.backupId, sizeBytes: size };
}

/** Bytes written between two background flushes. */
const FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

/**
 * Flushes what the restore wrote in the background, one fdatasync at a time, so that the device
 * writes overlap the decoding and the final fdatasync (a restore is durable when it says done)
 * has little left to do.
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
    for (let at = 0; at < length; at += zero.length) await writeAll(fh, zero.subarray(0, Math.min(zero.length, length - at)), offset + at);
  }
  return holeBytes;
}

/**
 * Page-cache writes of 128–256 KiB were much faster here than larger ones
 * (shared/reference/engine-performance.md). 256 KiB writes a default chunk in one call: each call
 * wakes a pool thread, which takes the core from the event loop (docs/benchmarks.md).
 */
const WRITE_BYTES = 256 * 1024;

async function writeAll(fh: FileHandle, data: Buffer, offset: number): Promise<void> {
  let done = 0;
  while (done < data.length) done += await writeAt(fh.fd, data, done, Math.min(WRITE_BYTES, data.length - done), offset + done);
}
