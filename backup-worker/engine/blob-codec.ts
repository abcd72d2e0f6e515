import { chunkIdFunction, type ChunkIdFunction } from './chunk-id.js';
import { CODEC_IDS, compress, decompress } from './compression.js';
import { SEAL_OVERHEAD, sealInto, unseal } from './cipher.js';
import { looksIncompressible } from './entropy-probe.js';
import type { MasterKeys } from './keys.js';
import type { ChunkIdHash, Compression } from './repo-config.js';

/** A stored blob could not be opened: altered bytes, wrong key or an unknown header. */
export class BlobDamagedError extends Error {}

/** A blob before sealing: the compression id (its 1-byte header) and the payload after it. */
export interface FramedBlob {
  readonly codecId: number;
  readonly payload: Buffer;
}

/** The 1-byte headers, allocated once. */
const HEADERS = new Map<number, Buffer>(Object.values(CODEC_IDS).map((id) => [id, Buffer.of(id)]));

/**
 * Turns plaintext into stored blobs and back: a 1-byte compression header then the payload
 * (raw when compression does not shrink it), the whole sealed with AES-256-GCM when encrypted.
 */
export class BlobCodec {
  readonly #keys: MasterKeys | undefined;
  readonly #compression: Compression;
  readonly #chunkId: ChunkIdFunction;

  constructor(keys: MasterKeys | undefined, compression: Compression, chunkIdHash: ChunkIdHash) {
    this.#keys = keys;
    this.#compression = compression;
    this.#chunkId = chunkIdFunction(chunkIdHash, keys?.macKey);
  }

  get encrypted(): boolean {
    return this.#keys !== undefined;
  }

  /** The largest stored blob for a plaintext of `plainBytes`. */
  maxStoredLength(plainBytes: number): number {
    return 1 + plainBytes + (this.#keys ? SEAL_OVERHEAD : 0);
  }

  /** The chunk id (see chunk-id.ts), keyed by the MAC key when encrypted. */
  chunkId(plain: Buffer): Buffer {
    return this.#chunkId(plain);
  }

  /**
   * Compresses (on libuv's thread pool) when it pays; data that looks random is framed raw
   * without trying. The payload may be `plain` itself: keep it unchanged until the blob is written.
   */
  async frame(plain: Buffer): Promise<FramedBlob> {
    const raw = { codecId: CODEC_IDS.none, payload: plain };
    if (this.#compression === 'none' || looksIncompressible(plain)) return raw;
    const packed = await compress(this.#compression, plain);
    return packed.length < plain.length ? { codecId: CODEC_IDS[this.#compression], payload: packed } : raw;
  }

  storedLength(blob: FramedBlob): number {
    return this.maxStoredLength(blob.payload.length);
  }

  /** Writes the stored form of `blob` into `out`, which is exactly `storedLength(blob)` bytes. */
  writeStored(blob: FramedBlob, out: Buffer): void {
    if (this.#keys) return sealInto(this.#keys.encryptionKey, [HEADERS.get(blob.codecId)!, blob.payload], out);
    out[0] = blob.codecId;
    blob.payload.copy(out, 1);
  }

  async seal(plain: Buffer): Promise<Buffer> {
    const blob = await this.frame(plain);
    const out = Buffer.allocUnsafe(this.storedLength(blob));
    this.writeStored(blob, out);
    return out;
  }

  /** The plaintext of a stored blob; it may be a view of `stored`. */
  async open(stored: Buffer): Promise<Buffer> {
    const framed = this.#keys ? unseal(this.#keys.encryptionKey, stored) : stored;
    if (!framed || framed.length === 0) throw new BlobDamagedError('authentication failed');
    try {
      return await decompress(framed[0], framed.subarray(1));
    } catch (err) {
      throw new BlobDamagedError(`cannot decompress (${(err as Error).message})`);
    }
  }

  /** For small metadata objects (index, manifest): JSON in a blob. */
  async sealJson(value: unknown): Promise<Buffer> {
    return this.seal(Buffer.from(JSON.stringify(value)));
  }

  async openJson(stored: Buffer): Promise<unknown> {
    return JSON.parse((await this.open(stored)).toString('utf8'));
  }
}
