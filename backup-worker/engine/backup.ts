import type { BlobCodec } from './blob-codec.js';
import type { BlockSource, Progress } from './block-source.js';
import { BufferPool } from './buffer-pool.js';
import { saveIndexObject, type ChunkIndex, type IndexEntry } from './chunk-index.js';
import { appendExtent, saveManifest, type Extent } from './manifest.js';
import { PackWriter } from './pack-writer.js';
import type { RepositoryConfig } from './repo-config.js';
import type { ObjectStore } from './store.js';
import { TaskGroup } from './task-group.js';

export interface BackupOptions {
  readonly backupId: string;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  readonly meta?: Record<string, string>;
}

export interface BackupSummary {
  backupId: string;
  sizeBytes: number;
  bytesRead: number;
  /** Bytes of the new objects (packs, index, manifest), after compression and encryption. */
  bytesStoredNew: number;
  chunkCount: number;
  newChunkCount: number;
  /** Objects written: packs + index + manifest. */
  objectCount: number;
}

export interface BackupTarget {
  readonly store: ObjectStore;
  readonly codec: BlobCodec;
  readonly config: RepositoryConfig;
  readonly index: ChunkIndex;
}

const READ_AHEAD = 8;
const BUFFERS = 16;
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Reads the source in aligned blocks (a few reads ahead), skips all-zero blocks, ids each block,
 * and seals and packs only chunks the repository does not hold yet. Packs, then the index, then
 * the manifest are written: a backup that stops early leaves no manifest.
 */
export async function runBackup(target: BackupTarget, source: BlockSource, options: BackupOptions): Promise<BackupSummary> {
  const startedAt = new Date().toISOString();
  const run = new BackupRun(target, source, options);
  const extents = await run.readAll();
  const entries = await run.packs.finish();
  options.signal?.throwIfAborted();
  const indexBytes = entries.length > 0 ? await saveIndex(target, entries) : 0;
  const manifestBytes = await saveManifest(target.store, target.codec, {
    formatVersion: 1,
    backupId: options.backupId,
    source: { name: source.name, sizeBytes: source.sizeBytes },
    chunkSizeBytes: target.config.chunkSizeBytes,
    startedAt,
    finishedAt: new Date().toISOString(),
    meta: options.meta ?? {},
    extents,
  });
  return run.summary(indexBytes + manifestBytes, indexBytes > 0 ? 2 : 1);
}

async function saveIndex(target: BackupTarget, entries: readonly IndexEntry[]): Promise<number> {
  const bytes = await saveIndexObject(target.store, target.codec, entries);
  for (const e of entries) target.index.add(e);
  return bytes;
}

/** A block read into a pooled buffer, with its chunk id (null: all zeros). */
interface Block {
  readonly buffer: Buffer;
  readonly data: Buffer;
  readonly id: string | null;
}

class BackupRun {
  readonly packs: PackWriter;
  readonly #target: BackupTarget;
  readonly #source: BlockSource;
  readonly #options: BackupOptions;
  readonly #chunk: number;
  readonly #zero: Buffer;
  readonly #pool: BufferPool;
  readonly #tasks = new TaskGroup();
  readonly #sealing = new Set<string>();
  readonly #extents: Extent[] = [];
  readonly #ahead: Array<Promise<Block>> = [];
  #chunkCount = 0;
  #lastProgress = 0;

  constructor(target: BackupTarget, source: BlockSource, options: BackupOptions) {
    this.#target = target;
    this.#source = source;
    this.#options = options;
    this.#chunk = target.config.chunkSizeBytes;
    this.#zero = Buffer.alloc(this.#chunk);
    this.#pool = new BufferPool(BUFFERS, this.#chunk);
    this.packs = new PackWriter(target.store, target.config.packSizeBytes, target.codec.maxStoredLength(this.#chunk));
  }

  /** On failure, waits for the work in flight so that nothing is written after the backup fails. */
  async readAll(): Promise<Extent[]> {
    try {
      return await this.#readAll();
    } catch (err) {
      await Promise.allSettled(this.#ahead);
      await this.#tasks.settle();
      await this.packs.settle();
      throw err;
    }
  }

  async #readAll(): Promise<Extent[]> {
    const count = Math.ceil(this.#source.sizeBytes / this.#chunk);
    const ahead = this.#ahead;
    for (let i = 0; i < Math.min(READ_AHEAD, count); i++) ahead.push(this.#read(i));
    for (let i = 0; i < count; i++) {
      const block = await ahead.shift()!;
      if (i + READ_AHEAD < count) ahead.push(this.#read(i + READ_AHEAD));
      this.#options.signal?.throwIfAborted();
      this.#tasks.check();
      this.#take(i * this.#chunk, block);
      this.#report(i * this.#chunk + block.data.length);
    }
    await this.#tasks.drain();
    this.#options.progress?.(this.#source.sizeBytes, this.#source.sizeBytes);
    return this.#extents;
  }

  summary(metadataBytes: number, metadataObjects: number): BackupSummary {
    return {
      backupId: this.#options.backupId,
      sizeBytes: this.#source.sizeBytes,
      bytesRead: this.#source.sizeBytes,
      bytesStoredNew: this.packs.bytesWritten + metadataBytes,
      chunkCount: this.#chunkCount,
      newChunkCount: this.#sealing.size,
      objectCount: this.packs.packCount + metadataObjects,
    };
  }

  /** Reads a block and, unless it is all zeros, ids it (on the thread pool, a few blocks at once). */
  async #read(block: number): Promise<Block> {
    const buffer = await this.#pool.take();
    const offset = block * this.#chunk;
    const length = Math.min(this.#chunk, this.#source.sizeBytes - offset);
    const data = await this.#source.read(offset, length, buffer);
    if (data.equals(this.#zero.subarray(0, data.length))) return { buffer, data, id: null };
    return { buffer, data, id: (await this.#target.codec.chunkIdAsync(data)).toString('hex') };
  }

  /** Records one block; seals it in the background when its chunk is new. */
  #take(offset: number, { buffer, data, id }: Block): void {
    appendExtent(this.#extents, offset, data.length, id);
    if (id === null) {
      this.#pool.give(buffer);
      return;
    }
    this.#chunkCount += 1;
    if (this.#target.index.has(id) || this.#sealing.has(id)) {
      this.#pool.give(buffer);
      return;
    }
    this.#sealing.add(id);
    this.#tasks.add(this.#seal(id, buffer, data));
  }

  async #seal(id: string, buffer: Buffer, data: Buffer): Promise<void> {
    try {
      const codec = this.#target.codec;
      const blob = await codec.frame(data);
      await this.packs.add(id, codec.storedLength(blob), (into) => codec.writeStored(blob, into));
    } finally {
      this.#pool.give(buffer);
    }
  }

  #report(done: number): void {
    if (!this.#options.progress) return;
    if (done - this.#lastProgress < PROGRESS_EVERY_BYTES) return;
    this.#lastProgress = done;
    this.#options.progress(done, this.#source.sizeBytes);
  }
}
