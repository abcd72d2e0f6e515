import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './command.js';

const READ_BUFFER_BYTES = 4 << 20;

/**
 * Puts the inputs of the next timed step in a known state, the same for every tool: written data
 * on disk (`sync`) and every byte of `paths` (files or trees) read into the page cache, which the
 * kernel here drops after ~30 s idle.
 */
export async function settleAndWarm(paths: readonly string[]): Promise<void> {
  await runCommand({ argv: ['sync'] });
  await warmFiles(paths);
}

/** Reads every byte of `paths` (files or trees) into the page cache. */
export async function warmFiles(paths: readonly string[]): Promise<void> {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  for (const top of paths) {
    for await (const file of filesUnder(top)) await readAll(file, buffer);
  }
}

async function* filesUnder(top: string): AsyncGenerator<string> {
  const entries = await readdir(top, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOTDIR') return undefined;
    throw err;
  });
  if (entries === undefined) {
    yield top;
    return;
  }
  for (const entry of entries) {
    const full = path.join(top, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

async function readAll(file: string, buffer: Buffer): Promise<void> {
  const handle = await open(file, 'r');
  try {
    while ((await handle.read(buffer, 0, buffer.length, null)).bytesRead > 0);
  } finally {
    await handle.close();
  }
}

/** Apparent size in bytes of a tree, as `du -sb` counts it. */
export async function treeBytes(dir: string): Promise<number> {
  const out = await runCommand({ argv: ['du', '-sb', dir] });
  return Number(out.split('\t')[0]);
}

/** Byte-for-byte comparison; throws naming both files when they differ. */
export async function assertIdentical(restored: string, source: string): Promise<void> {
  await runCommand({ argv: ['cmp', restored, source] }).catch((err: unknown) => {
    throw new Error(`the restore ${restored} differs from ${source}`, { cause: err });
  });
}
