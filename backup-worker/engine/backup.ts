import { InvalidInputError } from '../../common/errors.js';
import type { BlobCodec, FramedBlob } from './blob-codec.js';
import type { BlockSource, Progress } from './block-source.js';
import { BufferPool } from './buffer-pool.js';
import { saveIndexObject, type ChunkIndex, type IndexEntry } from './chunk-index.js';
import { GarbagePacer } from './garbage.js';
import { inOrderAhead } from './in-order.js';
import { appendExtent, saveManifest, type Extent } from './manifest.js';
import { PackWriter } from './pack-writer.js';
import type { Compression, RepositoryConfig } from './repo-config.js';
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

/** What one target of a replicated backup ended with. */
export type TargetOutcome = { readonly ok: true; readonly summary: BackupSummary } | { readonly ok: false; readonly error: unknown };

const READ_AHEAD = 8;
const BUFFERS = 16;
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Reads the source in aligned blocks (a few reads ahead), skips all-zero blocks, ids each block,
 * and seals and packs only chunks the repository does not hold yet. Packs, then the index, then
 * the manifest are written: a backup that stops early leaves no manifest.
 */
export async function runBackup(target: BackupTarget, source: BlockSource, options: BackupOptions): Promise<BackupSummary> {
  const [outcome] = await runReplicatedBackup([target], source, options);
  if (!outcome.ok) throw outcome.error;
  return outcome.summary;
}

/**
 * As `runBackup`, into several repositories at once from one read of the source: each block is
 * compressed once per compression setting and sealed and packed once per target (their keys
 * differ). A target that fails is dropped and the others go on; the source read stops only when
 * none is left (or on abort).
 */
export async function runReplicatedBackup(targets: readonly BackupTarget[], source: BlockSource, options: BackupOptions): Promise<TargetOutcome[]> {
  const chunk = targets[0].config.chunkSizeBytes;
  if (targets.some((t) => t.config.chunkSizeBytes !== chunk)) throw new InvalidInputError('the copies of a backup need repositories of the same chunk size');
  const startedAt = new Date().toISOString();
  const writers = targets.map((t) => new TargetWriter(t, chunk));
  const run = new SourceRun(writers, source, options, chunk);
  await run.readAll();
  return Promise.all(writers.map((w) => w.finish(options, source, startedAt)));
}

/** A block read into a pooled buffer (none for a hole), with its chunk id per target (null: all zeros). */
interface Block {
  readonly buffer: Buffer | undefined;
  readonly data: Buffer;
  readonly ids: ReadonlyArray<string | null>;
}

/** One target's side of a backup: its extents, dedup, sealing and packs; fails on its own. */
class TargetWriter {
  readonly target: BackupTarget;
  readonly packs: PackWriter;
  readonly extents: Extent[] = [];
  readonly sealing = new Set<string>();
  chunkCount = 0;
  failure: { error: unknown } | undefined;

  constructor(target: BackupTarget, chunk: number) {
    this.target = target;
    this.packs = new PackWriter(target.store, target.config.packSizeBytes, target.codec.maxStoredLength(chunk));
  }

  /** Records a block; returns true when its chunk is new here and must be sealed. */
  take(offset: number, length: number, id: string | null): boolean {
    appendExtent(this.extents, offset, length, id);
    if (id === null) return false;
    this.chunkCount += 1;
    if (this.target.index.has(id) || this.sealing.has(id)) return false;
    this.sealing.add(id);
    return true;
  }

  async seal(id: string, blob: FramedBlob): Promise<void> {
    const codec = this.target.codec;
    try {
      await this.packs.add(id, codec.storedLength(blob), (into) => codec.writeStored(blob, into));
    } catch (error) {
      this.failure ??= { error };
    }
  }

  async finish(options: BackupOptions, source: BlockSource, startedAt: string): Promise<TargetOutcome> {
    try {
      if (this.failure) throw this.failure.error;
      options.signal?.throwIfAborted();
      const entries = await this.packs.finish();
      options.signal?.throwIfAborted();
      const { store, codec, config } = this.target;
      const indexBytes = entries.length > 0 ? await this.#saveIndex(entries) : 0;
      const manifestBytes = await saveManifest(store, codec, {
        formatVersion: 1,
        backupId: options.backupId,
        source: { name: source.name, sizeBytes: source.sizeBytes },
        chunkSizeBytes: config.chunkSizeBytes,
        startedAt,
        finishedAt: new Date().toISOString(),
        meta: options.meta ?? {},
        extents: this.extents,
      });
      return { ok: true, summary: this.#summary(options.backupId, source.sizeBytes, indexBytes + manifestBytes, indexBytes > 0 ? 2 : 1) };
    } catch (error) {
      await this.packs.settle();
      return { ok: false, error };
    }
  }

  async #saveIndex(entries: readonly IndexEntry[]): Promise<number> {
    const bytes = await saveIndexObject(this.target.store, this.target.codec, entries);
    for (const e of entries) this.target.index.add(e);
    return bytes;
  }

  #summary(backupId: string, sizeBytes: number, metadataBytes: number, metadataObjects: number): BackupSummary {
    return {
      backupId,
      sizeBytes,
      bytesRead: sizeBytes,
      bytesStoredNew: this.packs.bytesWritten + metadataBytes,
      chunkCount: this.chunkCount,
      newChunkCount: this.sealing.size,
      objectCount: this.packs.packCount + metadataObjects,
    };
  }
}

/** The single read of the source, feeding every target still alive. */
class SourceRun {
  readonly #writers: readonly TargetWriter[];
  readonly #source: BlockSource;
  readonly #options: BackupOptions;
  readonly #chunk: number;
  readonly #zero: Buffer;
  readonly #pool: BufferPool;
  readonly #tasks = new TaskGroup();
  readonly #garbage = new GarbagePacer();
  #lastProgress = 0;

  constructor(writers: readonly TargetWriter[], source: BlockSource, options: BackupOptions, chunk: number) {
    this.#writers = writers;
    this.#source = source;
    this.#options = options;
    this.#chunk = chunk;
    this.#zero = Buffer.alloc(chunk);
    this.#pool = new BufferPool(BUFFERS, chunk);
  }

  /** On failure, waits for the work in flight so that nothing is written after the backup fails. */
  async readAll(): Promise<void> {
    try {
      await this.#readAll();
    } catch (err) {
      await this.#tasks.settle();
      await Promise.all(this.#writers.map((w) => w.packs.settle()));
      throw err;
    }
  }

  async #readAll(): Promise<void> {
    const count = Math.ceil(this.#source.sizeBytes / this.#chunk);
    let i = 0;
    for await (const block of inOrderAhead(count, READ_AHEAD, (b) => this.#read(b))) {
      this.#options.signal?.throwIfAborted();
      this.#tasks.check();
      if (this.#writers.every((w) => w.failure)) break;
      this.#take(i * this.#chunk, block);
      this.#report(i * this.#chunk + block.data.length);
      i += 1;
    }
    await this.#tasks.drain();
    this.#options.progress?.(this.#source.sizeBytes, this.#source.sizeBytes);
  }

  /** Reads a block (unless it lies in a hole) and, unless it is all zeros, ids it for every target. */
  async #read(block: number): Promise<Block> {
    const offset = block * this.#chunk;
    const length = Math.min(this.#chunk, this.#source.sizeBytes - offset);
    if (this.#source.isHole?.(offset, length)) return { buffer: undefined, data: this.#zero.subarray(0, length), ids: this.#writers.map(() => null) };
    const buffer = await this.#pool.take();
    const data = await this.#source.read(offset, length, buffer);
    const zero = data.equals(this.#zero.subarray(0, data.length));
    return { buffer, data, ids: this.#writers.map(({ target }) => (zero ? null : target.codec.chunkId(data).toString('hex'))) };
  }

  /** Records one block in every live target; seals it in the background where its chunk is new. */
  #take(offset: number, { buffer, data, ids }: Block): void {
    const sealers = this.#writers.flatMap((writer, t) => {
      const id = ids[t];
      return !writer.failure && writer.take(offset, data.length, id) ? [{ writer, id: id! }] : [];
    });
    if (sealers.length === 0) return this.#release(buffer);
    this.#tasks.add(this.#seal(sealers, data).finally(() => this.#release(buffer)));
  }

  /** Frames the block once per compression in use, then seals it into each target's packs. */
  async #seal(sealers: ReadonlyArray<{ writer: TargetWriter; id: string }>, data: Buffer): Promise<void> {
    const framed = new Map<Compression, Promise<FramedBlob>>();
    await Promise.all(
      sealers.map(async ({ writer, id }) => {
        const { codec, config } = writer.target;
        if (!framed.has(config.compression)) framed.set(config.compression, codec.frame(data));
        await writer.seal(id, await framed.get(config.compression)!);
      }),
    );
    this.#garbage.processed(data.length);
  }

  #release(buffer: Buffer | undefined): void {
    if (buffer) this.#pool.give(buffer);
  }

  #report(done: number): void {
    if (!this.#options.progress) return;
    if (done - this.#lastProgress < PROGRESS_EVERY_BYTES) return;
    this.#lastProgress = done;
    this.#options.progress(done, this.#source.sizeBytes);
  }
}
