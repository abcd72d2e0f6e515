import { randomBytes } from 'node:crypto';
import { BufferPool } from './buffer-pool.js';
import type { IndexEntry } from './chunk-index.js';
import { saveBuffers, type ObjectStore } from './store.js';


/**
 * Gathers stored blobs into packs of about `targetBytes` (a pack is saved once it reaches that
 * size) and saves each as one object. Blobs are written straight into a reused pack buffer; at most
 * the store's `concurrency.saves` saves are in flight. The entries are valid once `finish` resolves.
 */
export class PackWriter {
  readonly #store: ObjectStore;
  readonly #targetBytes: number;
  readonly #buffers: BufferPool;
  readonly #saving = new Set<Promise<void>>();
  readonly #entries: IndexEntry[] = [];
  #current: Promise<Buffer>;
  #pending: IndexEntry[] = [];
  #name = newPackName();
  #size = 0;
  #failure: { error: unknown } | undefined;
  packCount = 0;
  bytesWritten = 0;

  /** `maxBlobBytes`: the largest blob `add` will be given. */
  constructor(store: ObjectStore, targetBytes: number, maxBlobBytes: number) {
    this.#store = store;
    this.#targetBytes = targetBytes;
    // One pack filling while the store's saves run: bounded, reused memory, aligned so that a local
    // repository can write it with O_DIRECT.
    this.#buffers = BufferPool.aligned(store.concurrency.saves + 1, targetBytes + maxBlobBytes);
    this.#current = this.#buffers.take();
  }

  /** Appends a blob of `length` bytes, which `write` puts into the view it is given. */
  async add(id: string, length: number, write: (into: Buffer) => void): Promise<void> {
    for (;;) {
      this.#throwIfFailed();
      const current = this.#current;
      const buffer = await current;
      if (current !== this.#current) continue;
      if (this.#size + length > buffer.length) throw new RangeError(`a blob of ${length} bytes exceeds the pack buffer`);
      write(buffer.subarray(this.#size, this.#size + length));
      this.#pending.push({ id, pack: this.#name, offset: this.#size, length });
      this.#size += length;
      if (this.#size >= this.#targetBytes) this.#flush(buffer);
      return;
    }
  }

  async finish(): Promise<IndexEntry[]> {
    const buffer = await this.#current;
    if (this.#size > 0) this.#flush(buffer);
    await this.settle();
    this.#throwIfFailed();
    return this.#entries;
  }

  /** Waits for saves in flight, without writing what is buffered (the backup is given up). */
  async settle(): Promise<void> {
    while (this.#saving.size > 0) await Promise.allSettled([...this.#saving]);
  }

  /** Starts saving the filled buffer; the next blobs go to the other buffer once it is free. */
  #flush(buffer: Buffer): void {
    const [entries, name, size] = [this.#pending, this.#name, this.#size];
    [this.#pending, this.#name, this.#size] = [[], newPackName(), 0];
    this.#current = this.#buffers.take();
    const saving = saveBuffers(this.#store, { kind: 'pack', name }, [buffer.subarray(0, size)])
      .then(
        () => {
          this.#entries.push(...entries);
          this.packCount += 1;
          this.bytesWritten += size;
        },
        (error: unknown) => {
          this.#failure ??= { error };
        },
      )
      .finally(() => {
        this.#buffers.give(buffer);
        this.#saving.delete(saving);
      });
    this.#saving.add(saving);
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}

function newPackName(): string {
  return randomBytes(32).toString('hex');
}
