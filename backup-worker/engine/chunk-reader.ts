import { BlobDamagedError, type BlobCodec } from './blob-codec.js';
import { BufferPool } from './buffer-pool.js';
import type { ChunkIndex, ChunkLocation } from './chunk-index.js';
import { IntegrityError } from './errors.js';
import type { Manifest } from './manifest.js';
import type { ObjectStore } from './store.js';
import { TaskGroup } from './task-group.js';

/** One distinct chunk of a backup and every offset where it appears. */
export interface ChunkUse {
  readonly id: string;
  readonly length: number;
  readonly offsets: number[];
}

export interface ChunkHandlers {
  /** Gets every chunk's verified plaintext (valid until the returned promise settles). */
  onChunk(plain: Buffer, use: ChunkUse): Promise<void>;
  /** A chunk that is missing or damaged; throw to stop. */
  onError(error: IntegrityError): void;
}

interface Item {
  readonly use: ChunkUse;
  readonly at: ChunkLocation;
}

const RANGE_MAX_BYTES = 4 * 1024 * 1024;
const RANGE_MAX_GAP = 256 * 1024;
const CHUNKS_IN_FLIGHT = 16;

/**
 * Reads every chunk of a manifest from its packs in ranged reads (neighbouring blobs merged) into
 * reused buffers, a few ranges ahead, and checks each chunk against its id (a bounded number at
 * once, so decompression and writes overlap) before handing it over.
 */
export async function readChunks(
  source: { store: ObjectStore; codec: BlobCodec; index: ChunkIndex },
  manifest: Manifest,
  handlers: ChunkHandlers,
  signal?: AbortSignal,
): Promise<number> {
  const reader = new RangeReader(source.store, source.codec, manifest.backupId, handlers);
  await reader.readAll(planRanges(chunkUses(manifest), source.index, manifest.backupId, handlers), signal);
  return reader.checked;
}

function chunkUses(manifest: Manifest): ChunkUse[] {
  const uses = new Map<string, ChunkUse>();
  for (const [offset, length, id] of manifest.extents) {
    if (id === null) continue;
    const use = uses.get(id);
    if (use) use.offsets.push(offset);
    else uses.set(id, { id, length, offsets: [offset] });
  }
  return [...uses.values()];
}

function planRanges(uses: ChunkUse[], index: ChunkIndex, backupId: string, handlers: ChunkHandlers): Item[][] {
  const byPack = new Map<string, Item[]>();
  for (const use of uses) {
    const at = index.get(use.id);
    if (!at) handlers.onError(new IntegrityError(backupId, use.offsets[0], `chunk ${use.id} is missing from the repository`));
    else (byPack.get(at.pack) ?? byPack.set(at.pack, []).get(at.pack)!).push({ use, at });
  }
  const ranges: Item[][] = [];
  for (const items of byPack.values()) {
    items.sort((a, b) => a.at.offset - b.at.offset);
    let range: Item[] | undefined;
    for (const item of items) {
      if (!range || !fits(range, item)) ranges.push((range = []));
      range.push(item);
    }
  }
  return ranges;
}

function fits(range: Item[], item: Item): boolean {
  const first = range[0].at;
  const last = range[range.length - 1].at;
  const end = item.at.offset + item.at.length;
  return item.at.offset - (last.offset + last.length) <= RANGE_MAX_GAP && end - first.offset <= RANGE_MAX_BYTES;
}

/** A range's bytes, in a pooled buffer (given back once its chunks are done) when it fits one. */
interface LoadedRange {
  readonly bytes: Buffer | undefined;
  readonly buffer: Buffer | undefined;
}

class RangeReader {
  checked = 0;
  readonly #store: ObjectStore;
  readonly #codec: BlobCodec;
  readonly #backupId: string;
  readonly #handlers: ChunkHandlers;
  readonly #buffers: BufferPool;
  readonly #ahead: number;
  readonly #checks = new TaskGroup();

  constructor(store: ObjectStore, codec: BlobCodec, backupId: string, handlers: ChunkHandlers) {
    this.#store = store;
    this.#codec = codec;
    this.#backupId = backupId;
    this.#handlers = handlers;
    this.#ahead = store.concurrency.loads;
    this.#buffers = new BufferPool(this.#ahead + 1, RANGE_MAX_BYTES);
  }

  /** On failure, waits for the work in flight so that nothing is written after it fails. */
  async readAll(ranges: Item[][], signal?: AbortSignal): Promise<void> {
    const loads: Array<Promise<LoadedRange>> = [];
    const loadNext = (i: number): void => void (i < ranges.length && loads.push(this.#load(ranges[i])));
    for (let i = 0; i < this.#ahead; i++) loadNext(i);
    try {
      for (let i = 0; i < ranges.length; i++) {
        const loaded = await loads.shift()!;
        loadNext(i + this.#ahead);
        await this.#checkRange(ranges[i], loaded, signal);
      }
      await this.#checks.drain();
    } catch (err) {
      await Promise.allSettled(loads);
      await this.#checks.settle();
      throw err;
    }
  }

  async #load(range: Item[]): Promise<LoadedRange> {
    const start = range[0].at.offset;
    const last = range[range.length - 1].at;
    const length = last.offset + last.length - start;
    const buffer = length <= RANGE_MAX_BYTES ? await this.#buffers.take() : undefined;
    try {
      const bytes = await this.#store.load({ kind: 'pack', name: last.pack }, { offset: start, length }, { into: buffer });
      return { bytes, buffer };
    } catch (err) {
      if (buffer) this.#buffers.give(buffer);
      for (const item of range) this.#fail(item, `pack ${last.pack} cannot be read (${(err as Error).message})`);
      return { bytes: undefined, buffer: undefined };
    }
  }

  async #checkRange(range: Item[], loaded: LoadedRange, signal?: AbortSignal): Promise<void> {
    const checks: Array<Promise<void>> = [];
    try {
      if (!loaded.bytes) return;
      const start = range[0].at.offset;
      for (const item of range) {
        await this.#checks.whenBelow(CHUNKS_IN_FLIGHT);
        signal?.throwIfAborted();
        this.#checks.check();
        const check = this.#check(item, loaded.bytes.subarray(item.at.offset - start, item.at.offset - start + item.at.length));
        this.#checks.add(check);
        checks.push(check);
      }
    } finally {
      const { buffer } = loaded;
      if (buffer) void Promise.allSettled(checks).then(() => this.#buffers.give(buffer));
    }
  }

  async #check(item: Item, stored: Buffer): Promise<void> {
    this.checked += 1;
    const plain = await this.#codec.open(stored).catch((err: unknown) => {
      if (err instanceof BlobDamagedError) return err;
      throw err;
    });
    if (plain instanceof BlobDamagedError) return this.#fail(item, `chunk ${item.use.id} cannot be opened (${plain.message})`);
    if (plain.length !== item.use.length || this.#codec.chunkId(plain).toString('hex') !== item.use.id) {
      return this.#fail(item, `chunk ${item.use.id} does not match its content`);
    }
    await this.#handlers.onChunk(plain, item.use);
  }

  #fail(item: Item, detail: string): void {
    this.#handlers.onError(new IntegrityError(this.#backupId, item.use.offsets[0], detail));
  }
}
