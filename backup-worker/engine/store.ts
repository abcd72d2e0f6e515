import { Readable } from 'node:stream';
import { ObjectNotFoundError, type ObjectHandle, type Repository } from '../repositories/repository.js';

/**
 * The narrow store interface the engine needs (declared here, as Kopia's layers do);
 * backup-worker/repositories/ implements it.
 */
export type ObjectStore = Repository;

/** Saves buffers as one object; the body can be re-created for retries. */
export function saveBuffers(store: ObjectStore, h: ObjectHandle, parts: readonly Buffer[]): Promise<void> {
  return store.save(h, () => Readable.from(parts), { sizeBytes: parts.reduce((sum, p) => sum + p.length, 0) });
}

/** Whether the object exists; any failure other than "not found" is thrown, never taken for absence. */
export async function objectExists(store: ObjectStore, h: ObjectHandle): Promise<boolean> {
  try {
    await store.stat(h);
    return true;
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return false;
    throw err;
  }
}
