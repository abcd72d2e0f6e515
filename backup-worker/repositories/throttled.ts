import { pipeline, Transform, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ForwardingRepository } from './forwarding.js';
import type { ByteRange, LoadOptions, ObjectHandle, Repository, SaveOptions } from './repository.js';

/** The most a bucket holds: a burst of this many seconds at the limit. */
const BURST_SECONDS = 0.25;
const SLICE_BYTES = 64 * 1024;

/**
 * A token bucket shared by every call of one repository: bytes sent and received together stay
 * under the limit, whatever the number of requests in flight.
 */
export class Bandwidth {
  readonly #bytesPerSec: number;
  readonly #capacity: number;
  #tokens: number;
  #at = performance.now();
  #queue: Promise<void> = Promise.resolve();

  constructor(bytesPerSec: number) {
    this.#bytesPerSec = bytesPerSec;
    this.#capacity = Math.max(64 * 1024, bytesPerSec * BURST_SECONDS);
    this.#tokens = this.#capacity;
  }

  /** Resolves once `bytes` may pass; callers are served in order. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#wait(bytes, signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #wait(bytes: number, signal?: AbortSignal): Promise<void> {
    this.#refill();
    this.#tokens -= bytes;
    if (this.#tokens < 0) await sleep((-this.#tokens / this.#bytesPerSec) * 1000, undefined, { signal });
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#at) / 1000) * this.#bytesPerSec);
    this.#at = now;
  }
}

/** Holds a repository's traffic (save bodies as they stream, loaded bytes as they arrive) to a rate. */
export class ThrottledRepository extends ForwardingRepository {
  /** Streamed ranges are metered as they arrive, as save bodies are as they go. */
  override readonly openRange?: Repository['openRange'];
  readonly #bandwidth: Bandwidth;

  constructor(inner: Repository, bytesPerSec: number) {
    super(inner);
    this.#bandwidth = new Bandwidth(bytesPerSec);
    const open = inner.openRange?.bind(inner);
    this.openRange = open && (async (h, range, o) => this.#metered(await open(h, range, o), o?.signal));
  }

  override save(h: ObjectHandle, body: () => Readable, o?: SaveOptions): Promise<void> {
    return this.inner.save(h, () => this.#metered(body(), o?.signal), o);
  }

  override async load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    if (range) await this.#bandwidth.take(range.length, o?.signal);
    const bytes = await this.inner.load(h, range, o);
    if (!range) await this.#bandwidth.take(bytes.length, o?.signal);
    return bytes;
  }

  /** `stream` passed on at the limit; a failing stream fails the metered one too (pipeline destroys it with the error). */
  #metered(stream: Readable, signal?: AbortSignal): Readable {
    const meter = this.#meter(signal);
    pipeline(stream, meter, () => undefined);
    return meter;
  }

  /** Passes the body on in slices of at most SLICE_BYTES, each once the bucket allows it. */
  #meter(signal?: AbortSignal): Transform {
    const bandwidth = this.#bandwidth;
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        void (async () => {
          for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
            const slice = chunk.subarray(at, at + SLICE_BYTES);
            await bandwidth.take(slice.length, signal);
            this.push(slice);
          }
        })().then(() => done(), done);
      },
    });
  }
}
