import { Readable } from 'node:stream';
import type { ObjectHandle, Repository } from '../repositories/repository.js';

/**
 * The narrow store interface the engine needs (declared here, as Kopia's layers do);
 * backup-worker/repositories/ implements it.
 */
export type ObjectStore = Repository;

/** Saves buffers as one object; the body can be re-created for retries. */
export function saveBuffers(store: ObjectStore, h: ObjectHandle, parts: readonly Buffer[]): Promise<void> {
  return store.save(h, () => Readable.from(parts), { sizeBytes: parts.reduce((sum, p) => sum + p.length, 0) });
}
