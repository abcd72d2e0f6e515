import type { Stats } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidInputError } from '../../common/errors.js';
import type { BlockSource } from '../engine/block-source.js';
import { readAt } from '../../common/positional-io.js';
import { holeFinder, type HoleFinder } from './holes.js';

/** A regular file or a block device, read at given offsets. */
export async function openBlockFile(path: string): Promise<BlockSource> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new InvalidInputError(`cannot open ${path} (${err.code ?? err.message})`);
  });
  try {
    const info = await fh.stat();
    const sizeBytes = await sizeOf(info, path);
    return new BlockFile(fh, basename(path), sizeBytes, info.isFile() ? holeFinder(fh.fd, sizeBytes) : undefined);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

class BlockFile implements BlockSource {
  readonly #fh: FileHandle;
  readonly #holes: HoleFinder | undefined;
  readonly name: string;
  readonly sizeBytes: number;

  constructor(fh: FileHandle, name: string, sizeBytes: number, holes: HoleFinder | undefined) {
    this.#fh = fh;
    this.#holes = holes;
    this.name = name;
    this.sizeBytes = sizeBytes;
  }

  isHole(offset: number, length: number): boolean {
    return this.#holes?.isHole(offset, length) ?? false;
  }

  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const buffer = into ?? Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const bytesRead = await readAt(this.#fh.fd, buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new InvalidInputError(`${this.name} is shorter than ${offset + length} bytes`);
      done += bytesRead;
    }
    return buffer.subarray(0, length);
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}

async function sizeOf(info: Stats, path: string): Promise<number> {
  if (info.isFile()) return info.size;
  if (!info.isBlockDevice()) throw new InvalidInputError(`${path} is neither a file nor a block device`);
  return blockDeviceSize(info.rdev);
}

/** Node cannot ask a device its size (no ioctl); sysfs tells it in 512-byte sectors. */
async function blockDeviceSize(rdev: number): Promise<number> {
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  const sectors = await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8');
  return Number(sectors.trim()) * 512;
}
