import type { Progress } from './block-source.js';
import { readChunks } from './chunk-reader.js';
import type { Manifest } from './manifest.js';
import type { RestoreSource } from './restore.js';

export interface VerifyReport {
  backupId: string;
  chunksChecked: number;
  /** One line per damaged or missing chunk, each naming its offset. */
  errors: string[];
  ok: boolean;
}

/** Re-reads and checks every chunk of a backup; reports every problem instead of stopping. */
export async function runVerify(source: RestoreSource, manifest: Manifest, progress?: Progress): Promise<VerifyReport> {
  const errors: string[] = [];
  const total = manifest.extents.reduce((sum, e) => sum + (e[2] === null ? 0 : e[1]), 0);
  let done = 0;
  const chunksChecked = await readChunks(source, manifest, {
    onChunk: async (plain, use) => {
      done += plain.length * use.offsets.length;
      progress?.(done, total);
    },
    onError: (error) => void errors.push(error.message),
  });
  return { backupId: manifest.backupId, chunksChecked, errors, ok: errors.length === 0 };
}
