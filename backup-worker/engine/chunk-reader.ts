import { BlobDamagedError, type BlobCodec } from './blob-codec.js';
import { BufferPool } from './buffer-pool.js';
import type { ChunkIndex, ChunkLocation } from './chunk-index.js';
import { IntegrityError } from './errors.js';
import { inOrderAhead } from './in-order.js';
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
const CHUNKS_IN_FLIGHT = 16;
/**
 * Streamed ranges hold no range buffer, so they can span a whole pack: one request per pack instead
 * of four or five, which a server pays for in CPU (docs/benchmarks.md).
 */
const STREAMED_RANGE_MAX_BYTES = 64 * 1024 * 1024;
/** Streamed ranges read at once: one decoded while the next one's request is answered. */
const STREAMS_AT_ONCE = 2;

/**
 * Reads every chunk of a manifest from its packs in ranged reads (neighbouring blobs merged) and
 * checks each chunk against its id (a bounded number at once, so decompression and writes overlap)
 * before handing it over. A store that streams ranges (S3, Swift) is read a pack per request, each
 * blob cut out of the stream as it arrives; the others are read a few ranges ahead into reused buffers.
 */
export async function readChunks(
  source: { store: ObjectStore; codec: BlobCodec; index: ChunkIndex },
  manifest: Manifest,
  handlers: ChunkHandlers,
  signal?: AbortSignal,
): Promise<number> {
  const { store, codec, index } = source;
  const reader = streams(store) ? new StreamedRangeReader(store, codec, manifest, handlers) : new RangeReader(store, codec, manifest.backupId, handlers);
  // Blobs with at most one stored chunk between them are read in one range: an incremental's
  // restore skips the chunks it replaced in the packs of the backups before it, and a whole
  // incompressible chunk is a few bytes longer than chunkSizeBytes.
  const limits = { maxBytes: reader.rangeMaxBytes, maxGap: codec.maxStoredLength(manifest.chunkSizeBytes), packStartAlone: reader.packStartAlone };
  await reader.readAll(planRanges(chunkUses(manifest), index, manifest.backupId, handlers, limits), signal);
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

/**
 * The most bytes a range spans, the most bytes it skips between two of its blobs, and whether a
 * blob at the start of its pack is read alone.
 */
interface RangeLimits {
  readonly maxBytes: number;
  readonly maxGap: number;
  readonly packStartAlone: boolean;
}

function planRanges(uses: ChunkUse[], index: ChunkIndex, backupId: string, handlers: ChunkHandlers, limits: RangeLimits): Item[][] {
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
      if (!range || !fits(range, item, limits)) ranges.push((range = []));
      range.push(item);
      if (limits.packStartAlone && item.at.offset === 0) range = undefined;
    }
  }
  return ranges;
}

function fits(range: Item[], item: Item, limits: RangeLimits): boolean {
  const first = range[0].at;
  const last = range[range.length - 1].at;
  const end = item.at.offset + item.at.length;
  return item.at.offset - (last.offset + last.length) <= limits.maxGap && end - first.offset <= limits.maxBytes;
}

type StreamingStore = ObjectStore & { openRange: NonNullable<ObjectStore['openRange']> };

function streams(store: ObjectStore): store is StreamingStore {
  return store.openRange !== undefined;
}

/** The byte range of a pack that holds a range's items, and the pack. */
function extentOf(range: Item[]): { pack: string; offset: number; length: number } {
  const first = range[0].at;
  const last = range[range.length - 1].at;
  return { pack: last.pack, offset: first.offset, length: last.offset + last.length - first.offset };
}

/** A range's bytes, in a pooled buffer (given back once its chunks are done) when it fits one. */
interface LoadedRange {
  readonly bytes: Buffer | undefined;
  readonly buffer: Buffer | undefined;
}

/**
 * Checks chunks, a bounded number at once, and hands the good ones over; counts them and reports
 * the bad ones. Shared by both readers.
 */
class ChunkChecker {
  checked = 0;
  readonly #codec: BlobCodec;
  readonly #backupId: string;
  readonly #handlers: ChunkHandlers;
  readonly #running = new TaskGroup();

  constructor(codec: BlobCodec, backupId: string, handlers: ChunkHandlers) {
    this.#codec = codec;
    this.#backupId = backupId;
    this.#handlers = handlers;
  }

  /**
   * Starts checking `stored` once fewer than CHUNKS_IN_FLIGHT checks run, and resolves then with the
   * running check (wrapped: a promise would be awaited along).
   */
  async start(item: Item, stored: Buffer, signal?: AbortSignal): Promise<{ check: Promise<void> }> {
    await this.#running.whenBelow(CHUNKS_IN_FLIGHT);
    signal?.throwIfAborted();
    this.#running.check();
    const check = this.#check(item, stored);
    this.#running.add(check);
    return { check };
  }

  drain(): Promise<void> {
    return this.#running.drain();
  }

  settle(): Promise<void> {
    return this.#running.settle();
  }

  fail(item: Item, detail: string): void {
    this.#handlers.onError(new IntegrityError(this.#backupId, item.use.offsets[0], detail));
  }

  async #check(item: Item, stored: Buffer): Promise<void> {
    this.checked += 1;
    const plain = await this.#codec.open(stored).catch((err: unknown) => {
      if (err instanceof BlobDamagedError) return err;
      throw err;
    });
    if (plain instanceof BlobDamagedError) return this.fail(item, `chunk ${item.use.id} cannot be opened (${plain.message})`);
    if (plain.length !== item.use.length || this.#codec.chunkId(plain).toString('hex') !== item.use.id) {
      return this.fail(item, `chunk ${item.use.id} does not match its content`);
    }
    await this.#handlers.onChunk(plain, item.use);
  }
}

/** Reads ranges into reused buffers, a few ahead (stores without streams: a local disk, SFTP). */
class RangeReader {
  readonly rangeMaxBytes = RANGE_MAX_BYTES;
  readonly packStartAlone = false;
  readonly #store: ObjectStore;
  readonly #checker: ChunkChecker;
  readonly #buffers: BufferPool;
  readonly #ahead: number;

  constructor(store: ObjectStore, codec: BlobCodec, backupId: string, handlers: ChunkHandlers) {
    this.#store = store;
    this.#checker = new ChunkChecker(codec, backupId, handlers);
    this.#ahead = store.concurrency.loads;
    this.#buffers = new BufferPool(this.#ahead + 1, RANGE_MAX_BYTES);
  }

  get checked(): number {
    return this.#checker.checked;
  }

  /** On failure, waits for the work in flight so that nothing is written after it fails. */
  async readAll(ranges: Item[][], signal?: AbortSignal): Promise<void> {
    try {
      let i = 0;
      for await (const loaded of inOrderAhead(ranges.length, this.#ahead, (r) => this.#load(ranges[r]))) {
        await this.#checkRange(ranges[i++], loaded, signal);
      }
      await this.#checker.drain();
    } catch (err) {
      await this.#checker.settle();
      throw err;
    }
  }

  async #load(range: Item[]): Promise<LoadedRange> {
    const { pack, offset, length } = extentOf(range);
    const buffer = length <= RANGE_MAX_BYTES ? await this.#buffers.take() : undefined;
    try {
      const bytes = await this.#store.load({ kind: 'pack', name: pack }, { offset, length }, { into: buffer });
      return { bytes, buffer };
    } catch (err) {
      if (buffer) this.#buffers.give(buffer);
      for (const item of range) this.#checker.fail(item, `pack ${pack} cannot be read (${(err as Error).message})`);
      return { bytes: undefined, buffer: undefined };
    }
  }

  async #checkRange(range: Item[], loaded: LoadedRange, signal?: AbortSignal): Promise<void> {
    const checks: Array<Promise<void>> = [];
    try {
      if (!loaded.bytes) return;
      const start = range[0].at.offset;
      for (const item of range) {
        const { check } = await this.#checker.start(item, loaded.bytes.subarray(item.at.offset - start, item.at.offset - start + item.at.length), signal);
        checks.push(check);
      }
    } finally {
      const { buffer } = loaded;
      if (buffer) void Promise.allSettled(checks).then(() => this.#buffers.give(buffer));
    }
  }
}

/**
 * Reads each range as a stream (a whole pack in one request), STREAMS_AT_ONCE at a time, copying
 * each blob into a reused blob-sized buffer as its bytes arrive and checking it once complete. It
 * holds the blobs being checked, not whole ranges: less memory than RangeReader with fewer requests.
 */
class StreamedRangeReader {
  readonly rangeMaxBytes = STREAMED_RANGE_MAX_BYTES;
  /**
   * Swift's object server computes the MD5 of every read that starts at an object's first byte
   * (and compares it only when the read reaches the object's end, which a range before the pack's
   * index never does): reading the first blob alone leaves it that blob to hash, not the pack. One
   * more request per pack took a third off the server's CPU for a restore (docs/benchmarks.md).
   */
  readonly packStartAlone = true;
  readonly #store: StreamingStore;
  readonly #checker: ChunkChecker;
  readonly #blobs: BufferPool;

  constructor(store: StreamingStore, codec: BlobCodec, manifest: Manifest, handlers: ChunkHandlers) {
    this.#store = store;
    this.#checker = new ChunkChecker(codec, manifest.backupId, handlers);
    // Each check holds its blob's buffer; each stream fills one more.
    this.#blobs = new BufferPool(CHUNKS_IN_FLIGHT + STREAMS_AT_ONCE, codec.maxStoredLength(manifest.chunkSizeBytes));
  }

  get checked(): number {
    return this.#checker.checked;
  }

  /** On failure, waits for the work in flight so that nothing is written after it fails. */
  async readAll(ranges: Item[][], signal?: AbortSignal): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < ranges.length) await this.#readRange(ranges[next++], signal);
    };
    const lanes = Array.from({ length: Math.min(STREAMS_AT_ONCE, ranges.length) }, lane);
    try {
      await Promise.all(lanes);
      await this.#checker.drain();
    } catch (err) {
      next = ranges.length;
      await Promise.allSettled(lanes);
      await this.#checker.settle();
      throw err;
    }
  }

  async #readRange(range: Item[], signal?: AbortSignal): Promise<void> {
    const { pack, offset, length } = extentOf(range);
    const cut = new BlobCutter(range, offset);
    const unreadable = (err: unknown): undefined => this.#unreadable(pack, cut, err, signal);
    const stream = await this.#store.openRange({ kind: 'pack', name: pack }, { offset, length }, { signal }).catch(unreadable);
    if (!stream) return;
    const pieces = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    try {
      while (!cut.done) {
        const next = await pieces.next().catch(unreadable);
        if (!next) return;
        if (next.done) return unreadable(new Error(`the range ended after ${cut.position - offset} of ${length} bytes`));
        await cut.feed(next.value, () => this.#blobs.take(), (item, blob) => this.#startCheck(item, blob, signal));
      }
      // The range ends with its last blob: one more read sees the stream's end. An HTTP response
      // read to its end leaves its connection to the next request; destroyed before, it closes
      // it, and each pack would cost a new connection (and on TLS, a new handshake).
      await pieces.next().catch(() => undefined);
    } finally {
      cut.abandon((blob) => this.#blobs.give(blob));
      stream.destroy();
    }
  }

  /** The stream failed: its items not yet handed over are reported (an abort is thrown as it is). */
  #unreadable(pack: string, cut: BlobCutter, err: unknown, signal?: AbortSignal): undefined {
    if (signal?.aborted) throw err;
    for (const item of cut.remaining) this.#checker.fail(item, `pack ${pack} cannot be read (${(err as Error).message})`);
    return undefined;
  }

  async #startCheck(item: Item, blob: Buffer, signal?: AbortSignal): Promise<void> {
    const { check } = await this.#checker.start(item, blob.subarray(0, item.at.length), signal).catch((err: unknown) => {
      this.#blobs.give(blob);
      throw err;
    });
    void check.finally(() => this.#blobs.give(blob)).catch(() => undefined);
  }
}

/** Cuts a range's stream into its items' blobs (skipping the gaps between them), in order. */
class BlobCutter {
  position: number;
  readonly #items: Item[];
  #next = 0;
  #blob: Buffer | undefined;

  constructor(items: Item[], start: number) {
    this.#items = items;
    this.position = start;
  }

  get done(): boolean {
    return this.#next === this.#items.length;
  }

  /** The items not yet handed over. */
  get remaining(): Item[] {
    return this.#items.slice(this.#next);
  }

  /** Copies `piece` into blobs (each from `take`), handing each complete one to `complete`. */
  async feed(piece: Buffer, take: () => Promise<Buffer>, complete: (item: Item, blob: Buffer) => Promise<void>): Promise<void> {
    let at = 0;
    while (at < piece.length && !this.done) {
      const { offset, length } = this.#items[this.#next].at;
      if (this.position < offset) {
        const skip = Math.min(piece.length - at, offset - this.position);
        [at, this.position] = [at + skip, this.position + skip];
        continue;
      }
      this.#blob ??= await take();
      const copied = piece.copy(this.#blob, this.position - offset, at, Math.min(piece.length, at + offset + length - this.position));
      [at, this.position] = [at + copied, this.position + copied];
      if (this.position === offset + length) {
        const [item, blob] = [this.#items[this.#next++], this.#blob];
        this.#blob = undefined;
        await complete(item, blob);
      }
    }
  }

  /** Gives back the blob being filled, when the stream fails. */
  abandon(give: (blob: Buffer) => void): void {
    if (this.#blob) give(this.#blob);
    this.#blob = undefined;
  }
}
