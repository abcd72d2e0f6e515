import { createRequire } from 'node:module';

/** Linux's lseek(2) whence values: the next byte of data, the next hole, at or after an offset. */
const SEEK_DATA = 3;
const SEEK_HOLE = 4;

type SeekSync = (fd: number, offset: number, whence: number) => number;

/**
 * Node has no lseek(2); the optional native `fs-ext` passes SEEK_DATA and SEEK_HOLE through to it.
 * Without it (not built on this machine), or off Linux, holes are simply read as zeros.
 */
function loadSeek(): SeekSync | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return (createRequire(import.meta.url)('fs-ext') as { seekSync: SeekSync }).seekSync;
  } catch {
    return undefined;
  }
}

let seekSync: SeekSync | undefined | null = null;

/**
 * Tells which ranges of a sparse file are holes, so that a backup need not read the zeros. The
 * file's map is asked lazily, one data region at a time: two system calls per region crossed,
 * whatever the file's size. Ranges asked in increasing order (as a backup reads) reuse the last
 * answer. Undefined when holes cannot be found here, or when the file has none (a file system
 * that keeps no holes reports the whole file as data).
 */
export function holeFinder(fd: number, sizeBytes: number): HoleFinder | undefined {
  if (seekSync === null) seekSync = loadSeek();
  if (!seekSync) return undefined;
  const finder = new HoleFinder(fd, seekSync);
  return finder.isData(0, sizeBytes) ? undefined : finder;
}

export class HoleFinder {
  readonly #fd: number;
  readonly #seek: SeekSync;
  /** What the last probe found: [probedAt, dataStart) is a hole, [dataStart, dataEnd) data. */
  #probedAt = 0;
  #dataStart = 0;
  #dataEnd = 0;

  constructor(fd: number, seek: SeekSync) {
    this.#fd = fd;
    this.#seek = seek;
    this.#probe(0);
  }

  /** True when all of [offset, offset + length) lies in one hole: it reads as zeros. */
  isHole(offset: number, length: number): boolean {
    this.#know(offset);
    return offset + length <= this.#dataStart;
  }

  /** True when all of [offset, offset + length) lies in one data region. */
  isData(offset: number, length: number): boolean {
    this.#know(offset);
    return offset >= this.#dataStart && offset + length <= this.#dataEnd;
  }

  #know(offset: number): void {
    if (offset < this.#probedAt || offset >= this.#dataEnd) this.#probe(offset);
  }

  #probe(offset: number): void {
    this.#probedAt = offset;
    try {
      this.#dataStart = this.#seek(this.#fd, offset, SEEK_DATA);
      this.#dataEnd = this.#seek(this.#fd, this.#dataStart, SEEK_HOLE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENXIO') {
        // No data at or after the offset: a hole up to the end of the file.
        this.#dataStart = this.#dataEnd = Number.MAX_SAFE_INTEGER;
      } else {
        // The file system cannot tell (an old NFS, say): read the rest, as without a finder.
        this.#dataStart = offset;
        this.#dataEnd = Number.MAX_SAFE_INTEGER;
      }
    }
  }
}
