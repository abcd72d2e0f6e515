import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockSource } from '../../backup-worker/engine/index.js';

export const BLOCK = 256 * 1024;

/** A block source over a buffer; `gate` (when given) holds reads from the given offset on. */
export class BufferSource implements BlockSource {
  readonly name: string;
  readonly sizeBytes: number;
  readonly #data: Buffer;
  readonly #gate?: { offset: number; open: Promise<void> };

  constructor(data: Buffer, name = 'test.img', gate?: { offset: number; open: Promise<void> }) {
    this.#data = data;
    this.name = name;
    this.sizeBytes = data.length;
    this.#gate = gate;
  }

  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (this.#gate && offset >= this.#gate.offset) await this.#gate.open;
    const out = into ?? Buffer.allocUnsafe(length);
    this.#data.copy(out, 0, offset, offset + length);
    return out.subarray(0, length);
  }

  async close(): Promise<void> {}
}

/** Random blocks with holes (every third block zero), of any size. */
export function imageWithHoles(sizeBytes: number, seedBlocks = randomBytes(sizeBytes)): Buffer {
  const image = Buffer.from(seedBlocks);
  for (let at = 0; at < sizeBytes; at += 3 * BLOCK) image.fill(0, at, Math.min(sizeBytes, at + BLOCK));
  return image;
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-engine-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readBack(path: string): Promise<Buffer> {
  return readFile(path);
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}
