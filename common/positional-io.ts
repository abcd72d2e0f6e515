import { close, read, write } from 'node:fs';

// fs.read and fs.write with callbacks rather than FileHandle's promise methods: a backup or a
// restore makes thousands of these calls, and on the event loop each FileHandle call cost two to
// four times as much (docs/benchmarks.md).

/** Reads up to `length` bytes at file position `position` into `buffer` at `offset`; the bytes read. */
export function readAt(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
}

/** Writes `length` bytes of `buffer` from `offset` at file position `position`; the bytes written. */
export function writeAt(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buffer, offset, length, position, (err, written) => (err ? reject(err) : resolve(written))));
}

/** Writes all of `data` at file position `position`, in calls of at most `perCall` bytes. */
export async function writeAllAt(fd: number, data: Buffer, position: number, perCall = data.length): Promise<void> {
  let done = 0;
  while (done < data.length) done += await writeAt(fd, data, done, Math.min(perCall, data.length - done), position + done);
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}
