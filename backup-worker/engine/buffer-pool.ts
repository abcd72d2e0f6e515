/** A fixed set of equal buffers, reused: bounds memory and avoids touching fresh pages. */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiting: Array<(b: Buffer) => void> = [];

  constructor(count: number, size: number) {
    for (let i = 0; i < count; i++) this.#free.push(Buffer.allocUnsafeSlow(size));
  }

  take(): Promise<Buffer> {
    const buffer = this.#free.pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(buffer: Buffer): void {
    const next = this.#waiting.shift();
    if (next) next(buffer);
    else this.#free.push(buffer);
  }
}
