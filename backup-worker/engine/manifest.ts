import type { BlobCodec } from './blob-codec.js';
import { BackupNotFoundError, UnsupportedFormatError } from './errors.js';
import { ObjectNotFoundError } from '../repositories/repository.js';
import { saveBuffers, type ObjectStore } from './store.js';

/** [offset, length, chunk id] for data; chunk id null for a run of all-zero blocks (a hole). */
export type Extent = [number, number, string | null];

/** `manifests/<backupId>`: everything needed to restore one backup, written last. */
export interface Manifest {
  readonly formatVersion: 1;
  readonly backupId: string;
  readonly source: { readonly name: string; readonly sizeBytes: number };
  readonly chunkSizeBytes: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly meta: Record<string, string>;
  readonly extents: Extent[];
}

export interface ManifestSummary {
  readonly backupId: string;
  readonly sourceName: string;
  readonly sizeBytes: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly meta: Record<string, string>;
  readonly chunkCount: number;
}

const BACKUP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidBackupId(id: string): boolean {
  return BACKUP_ID.test(id);
}

export function manifestHandle(backupId: string): { kind: 'manifest'; name: string } {
  return { kind: 'manifest', name: backupId };
}

export async function saveManifest(store: ObjectStore, codec: BlobCodec, manifest: Manifest): Promise<number> {
  const body = await codec.sealJson(manifest);
  await saveBuffers(store, manifestHandle(manifest.backupId), [body]);
  return body.length;
}

export async function loadManifest(store: ObjectStore, codec: BlobCodec, backupId: string): Promise<Manifest> {
  if (!isValidBackupId(backupId)) throw new BackupNotFoundError(backupId);
  const stored = await store.load(manifestHandle(backupId)).catch((err: unknown) => {
    throw err instanceof ObjectNotFoundError ? new BackupNotFoundError(backupId) : err;
  });
  const manifest = (await codec.openJson(stored)) as Manifest;
  if (manifest.formatVersion !== 1) throw new UnsupportedFormatError(`manifest ${backupId} version`);
  return manifest;
}

export function summarize(m: Manifest): ManifestSummary {
  return {
    backupId: m.backupId,
    sourceName: m.source.name,
    sizeBytes: m.source.sizeBytes,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    meta: m.meta,
    chunkCount: m.extents.filter((e) => e[2] !== null).length,
  };
}

/** Appends a block, merging consecutive holes into one extent. */
export function appendExtent(extents: Extent[], offset: number, length: number, id: string | null): void {
  const last = extents[extents.length - 1];
  if (id === null && last && last[2] === null && last[0] + last[1] === offset) last[1] += length;
  else extents.push([offset, length, id]);
}
