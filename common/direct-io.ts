import { constants, open as openCallback } from 'node:fs';
import { writeAllAt } from './positional-io.js';

/**
 * The alignment that O_DIRECT asks of a buffer's address, a file offset and a length on Linux: the
 * device's logical block size, 4096 at the most on the disks we meet.
 */
export const DIRECT_IO_ALIGNMENT = 4096;

const WASM_PAGE_BYTES = 64 * 1024;

/**
 * A buffer whose first byte is page-aligned, as O_DIRECT needs. Node offers no aligned allocation,
 * and its buffers start 16 bytes past a page; a WebAssembly memory is mapped on its own pages.
 * The memory cannot grow, so the buffer stays valid for as long as it is referenced. V8 reserves
 * several GiB of address space for each such memory: where the process may not (a low `ulimit -v`),
 * this is an ordinary buffer, which O_DIRECT refuses (EINVAL), and the callers write through the
 * page cache instead.
 */
export function allocAligned(size: number): Buffer {
  const pages = Math.max(1, Math.ceil(size / WASM_PAGE_BYTES));
  try {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    return Buffer.from(memory.buffer, 0, size);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return Buffer.allocUnsafeSlow(size);
  }
}

export function isDirectAligned(offset: number, length: number): boolean {
  return offset % DIRECT_IO_ALIGNMENT === 0 && length % DIRECT_IO_ALIGNMENT === 0 && length > 0;
}

/**
 * Opens `path` for writing with O_DIRECT (no page cache), or resolves undefined where the
 * filesystem does not allow it (tmpfs, some FUSE mounts): the caller then writes through the cache.
 */
export function openDirectForWriting(path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    openCallback(path, constants.O_WRONLY | constants.O_DIRECT, (err, fd) => {
      if (!err) resolve(fd);
      else if (err.code === 'EINVAL' || err.code === 'EOPNOTSUPP') resolve(undefined);
      else reject(err);
    });
  });
}

/**
 * Writes all of `data` at `position` through an O_DIRECT descriptor; false when the kernel refuses
 * it (EINVAL: a buffer that is not aligned, or a device that asks more alignment than ours), for the
 * caller to write it through the page cache instead.
 */
export async function writeDirect(fd: number, data: Buffer, position: number): Promise<boolean> {
  try {
    await writeAllAt(fd, data, position);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return false;
    throw err;
  }
}
