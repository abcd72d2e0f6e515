import { isDirectAligned } from '../../common/direct-io.js';
import { BufferPool } from './buffer-pool.js';
import { TaskGroup } from './task-group.js';

/** Where runs are written. */
export interface RunSink {
  /** Writes through O_DIRECT; false when the kernel refuses it. */
  direct(data: Buffer, offset: number): Promise<boolean>;
  /** Writes through the page cache: what the kernel refused, and everything after it. */
  cached(data: Buffer, offset: number): Promise<void>;
}

/** Contiguous bytes gathered in one aligned buffer, not yet written. */
interface Run {
  readonly buffer: Buffer;
  readonly offset: number;
  length: number;
}

/**
 * Writes chunks with a sink's O_DIRECT writes, gathered into runs: a chunk that continues an open
 * run is copied onto its end, and a run is written in one call once it is full or pushed out by a
 * newer one. Larger writes cost the device less while both cores are busy decoding (1 MiB writes
 * took two thirds of the time of 256 KiB ones here, docs/benchmarks.md). Each run is written in
 * the background from its own aligned buffer, so the caller's chunk is free again at once; the
 * first write that fails fails the next `write`, or `flush`.
 */
export class DirectRunWriter {
  readonly #sink: RunSink;
  readonly #runBytes: number;
  readonly #openRuns: number;
  readonly #buffers: BufferPool;
  readonly #writes = new TaskGroup();
  /** Oldest first. */
  #open: Run[] = [];
  #refused = false;

  /**
   * `runBytes`: the largest write; `buffers`: how many runs may be open or being written at once,
   * `openRuns` of them open.
   */
  constructor(sink: RunSink, options: { runBytes: number; buffers: number; openRuns: number }) {
    if (options.openRuns >= options.buffers) throw new RangeError('a DirectRunWriter needs more buffers than open runs');
    this.#sink = sink;
    this.#runBytes = options.runBytes;
    this.#openRuns = options.openRuns;
    this.#buffers = BufferPool.aligned(options.buffers, options.runBytes);
  }

  /** Whether `write` takes these bytes (whole aligned blocks, while the kernel accepts direct writes). */
  accepts(length: number, offset: number): boolean {
    return !this.#refused && length <= this.#runBytes && isDirectAligned(offset, length);
  }

  /** Resolves once `data` is copied into a run; `accepts(data.length, offset)` must hold. */
  async write(data: Buffer, offset: number): Promise<void> {
    this.#writes.check();
    if (this.#append(data, offset)) return;
    // No await while a buffer is free: chunks handed over together join one run.
    const buffer = this.#buffers.takeNow() ?? (await this.#buffers.take());
    if (this.#append(data, offset)) return this.#buffers.give(buffer);
    // With fewer runs open than buffers, a buffer is always free or being written: no deadlock.
    while (this.#open.length >= this.#openRuns) this.#submit(this.#open[0]);
    data.copy(buffer);
    const run = { buffer, offset, length: data.length };
    this.#open.push(run);
    if (run.length === this.#runBytes) this.#submit(run);
  }

  /** Copies `data` onto the end of the open run it continues, if there is one. */
  #append(data: Buffer, offset: number): boolean {
    const run = this.#open.find((r) => r.offset + r.length === offset && r.length + data.length <= this.#runBytes);
    if (!run) return false;
    data.copy(run.buffer, run.length);
    run.length += data.length;
    if (run.length === this.#runBytes) this.#submit(run);
    return true;
  }

  /** Writes the open runs and waits for every write; throws the first failure. */
  async flush(): Promise<void> {
    for (const run of [...this.#open]) this.#submit(run);
    await this.#writes.drain();
  }

  /** Waits for the writes in flight, whatever their outcome; open runs are dropped (the restore failed). */
  async settle(): Promise<void> {
    for (const run of this.#open) this.#buffers.give(run.buffer);
    this.#open = [];
    await this.#writes.settle();
  }

  #submit(run: Run): void {
    this.#open = this.#open.filter((r) => r !== run);
    const data = run.buffer.subarray(0, run.length);
    this.#writes.add(this.#writeRun(data, run.offset).finally(() => this.#buffers.give(run.buffer)));
  }

  async #writeRun(data: Buffer, offset: number): Promise<void> {
    if (!this.#refused && (await this.#sink.direct(data, offset))) return;
    // A device or filesystem whose alignment is stricter than ours: the cache takes the rest.
    this.#refused = true;
    await this.#sink.cached(data, offset);
  }
}
