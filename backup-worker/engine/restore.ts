import type { BlobCodec } from './blob-codec.js';
import type { Progress } from './block-source.js';
import type { ChunkIndex } from './chunk-index.js';
import { readChunks } from './chunk-reader.js';
import type { Manifest } from './manifest.js';
import { RestoreTarget } from './restore-target.js';
import type { ObjectStore } from './store.js';

export interface RestoreOptions {
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface RestoreSummary {
  backupId: string;
  sizeBytes: number;
}

export interface RestoreSource {
  readonly store: ObjectStore;
  readonly codec: BlobCodec;
  readonly index: ChunkIndex;
}

/**
 * Writes a backup's image to a file (created, or cut to the image's size, holes left sparse) or
 * to a block device of at least that size (holes written as zeros). Every chunk is checked first.
 */
export async function runRestore(source: RestoreSource, manifest: Manifest, target: string, options: RestoreOptions): Promise<RestoreSummary> {
  const size = manifest.source.sizeBytes;
  const { target: out, holeBytes } = await RestoreTarget.open(target, manifest);
  try {
    let done = holeBytes;
    options.progress?.(done, size);
    await readChunks(source, manifest, {
      onChunk: async (plain, use) => {
        for (const offset of use.offsets) await out.write(plain, offset);
        done += plain.length * use.offsets.length;
        options.progress?.(done, size);
      },
      onError: (error) => {
        throw error;
      },
    }, options.signal);
    await out.finish();
  } finally {
    await out.close();
  }
  return { backupId: manifest.backupId, sizeBytes: size };
}
