import {
  checkObjectName,
  ObjectNotFoundError,
  readBody,
  type ByteRange,
  type ObjectHandle,
  type ObjectInfo,
  type ObjectKind,
  type Repository,
  LOCAL_CONCURRENCY,
} from './repository.js';
import { Readable } from 'node:stream';

/**
 * Bytes a streamed range arrives in: not a divisor of any blob or range, so that readers meet blobs
 * split across pieces, as network reads split them.
 */
const STREAM_PIECE_BYTES = 7001;

/**
 * Objects in a Map (copies: callers reuse the buffers they save): for engine tests. `streamsRanges`
 * gives it `openRange`, as the object stores have.
 */
export class MemoryRepository implements Repository {
  readonly concurrency = LOCAL_CONCURRENCY;
  readonly openRange?: Repository['openRange'];
  readonly #objects = new Map<string, Buffer>();

  constructor(options: { streamsRanges?: boolean } = {}) {
    if (options.streamsRanges) this.openRange = async (h, range) => Readable.from(pieces(this.#get(h).subarray(range.offset, range.offset + range.length)));
  }

  async save(h: ObjectHandle, body: () => Readable): Promise<void> {
    checkObjectName(h);
    this.#objects.set(keyOf(h), Buffer.from(await readBody(body())));
  }

  async load(h: ObjectHandle, range?: ByteRange): Promise<Buffer> {
    const data = this.#get(h);
    if (!range) return Buffer.from(data);
    return Buffer.from(data.subarray(range.offset, range.offset + range.length));
  }

  async stat(h: ObjectHandle): Promise<ObjectInfo> {
    return { kind: h.kind, name: h.name, sizeBytes: this.#get(h).length };
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    for (const [key, data] of [...this.#objects]) {
      const [k, name] = key.split('/');
      if (k === kind) yield { kind, name, sizeBytes: data.length };
    }
  }

  async remove(h: ObjectHandle): Promise<void> {
    if (!this.#objects.delete(keyOf(h))) throw new ObjectNotFoundError(h);
  }

  /** Saves are atomic in memory: nothing is ever left behind. */
  async removeTemporaries(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}

  #get(h: ObjectHandle): Buffer {
    const data = this.#objects.get(keyOf(h));
    if (!data) throw new ObjectNotFoundError(h);
    return data;
  }
}

function keyOf(h: ObjectHandle): string {
  return `${h.kind}/${h.name}`;
}

function* pieces(data: Buffer): Generator<Buffer> {
  for (let at = 0; at < data.length; at += STREAM_PIECE_BYTES) yield Buffer.from(data.subarray(at, at + STREAM_PIECE_BYTES));
}
