import { createHash, createHmac } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface HashRequest {
  readonly seq: number;
  readonly key: Buffer | undefined;
  readonly bytes: ArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

export interface HashReply {
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly bytes: ArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

/** A digest and the hashed bytes, which are a new view of the same memory when it travelled. */
export interface Hashed {
  readonly digest: Buffer;
  readonly data: Buffer;
}

/** Requests the other thread may hold before the caller's thread hashes a block itself. */
const LENT_MAX = 2;
/** How much larger than a view its memory may be for the view to count as owning it. */
const LENDABLE_SLACK = 64;

/**
 * Spreads SHA-256/HMAC-SHA-256 of blocks over the calling thread and one worker thread. A block's
 * memory is transferred to the worker and back, never copied: copying every block cost more than
 * hashing it (WebCrypto copies its input), so callers lend only memory they own whole.
 */
class HashThread {
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, { resolve: (h: Hashed) => void; reject: (e: unknown) => void }>();
  #seq = 0;

  /**
   * Digests the view `data`. Its whole memory (`data.buffer`) may be lent to the worker: the caller
   * must own all of it and use the returned view (same bytes, same place) from then on.
   */
  digest(key: Buffer | undefined, data: Buffer): Promise<Hashed> | Hashed {
    if (this.#waiting.size >= LENT_MAX || !(data.buffer instanceof ArrayBuffer)) return { digest: digestHere(key, data), data };
    const worker = this.#start();
    const seq = (this.#seq += 1);
    const request: HashRequest = { seq, key, bytes: data.buffer as ArrayBuffer, offset: data.byteOffset, length: data.length };
    const reply = new Promise<Hashed>((resolve, reject) => this.#waiting.set(seq, { resolve, reject }));
    if (this.#waiting.size === 1) worker.ref();
    worker.postMessage(request, [request.bytes]);
    return reply;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./hash-thread-main.js', import.meta.url));
    worker.on('message', (reply: HashReply) => this.#settle(reply.seq, (w) => w.resolve(hashed(reply))));
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', () => {
      this.#worker = undefined;
      this.#failAll(new Error('the hashing thread exited'));
    });
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #settle(seq: number, settle: (w: { resolve: (h: Hashed) => void; reject: (e: unknown) => void }) => void): void {
    const waiting = this.#waiting.get(seq);
    this.#waiting.delete(seq);
    if (this.#waiting.size === 0) this.#worker?.unref();
    if (waiting) settle(waiting);
  }

  #failAll(err: unknown): void {
    for (const seq of [...this.#waiting.keys()]) this.#settle(seq, (w) => w.reject(err));
  }
}

/**
 * Whether `view` is (nearly) all of its memory, as the fresh buffers that decryption and
 * decompression return are: a view into a larger, shared buffer must not be lent.
 */
export function ownsItsMemory(view: Buffer): boolean {
  return view.buffer.byteLength <= view.length + LENDABLE_SLACK;
}

function hashed({ digest, bytes, offset, length }: HashReply): Hashed {
  return { digest: Buffer.from(digest.buffer, digest.byteOffset, digest.length), data: Buffer.from(bytes, offset, length) };
}

export function digestHere(key: Buffer | undefined, data: Buffer): Buffer {
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(data).digest();
}

export const hashThread = new HashThread();
