import { allocAligned, DIRECT_IO_ALIGNMENT } from '../../common/direct-io.js';

/** A fixed set of equal buffers, reused: bounds memory and avoids touching fresh pages. */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiting: Array<(b: Buffer) => void> = [];

  constructor(count: number, size: number) {
    for (let i = 0; i < count; i++) this.#free.push(Buffer.allocUnsafeSlow(size));
  }

  /** Buffers that start on a page, for O_DIRECT, cut from one aligned region. */
  static aligned(count: number, size: number): BufferPool {
    const stride = Math.ceil(size / DIRECT_IO_ALIGNMENT) * DIRECT_IO_ALIGNMENT;
    const region = allocAligned(stride * count);
    const pool = new BufferPool(0, size);
    for (let i = 0; i < count; i++) pool.give(region.subarray(i * stride, i * stride + size));
    return pool;
  }

  take(): Promise<Buffer> {
    const buffer = this.#free.pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** A free buffer now, if there is one; no other caller can take it in between. */
  takeNow(): Buffer | undefined {
    return this.#free.pop();
  }

  give(buffer: Buffer): void {
    const next = this.#waiting.shift();
    if (next) next(buffer);
    else this.#free.push(buffer);
  }
}
