import type { BlobCodec } from './blob-codec.js';
import { loadChunkIndex, saveIndexObject, type IndexEntry } from './chunk-index.js';
import { loadManifest } from './manifest.js';
import { PackWriter } from './pack-writer.js';
import type { RepositoryConfig } from './repo-config.js';
import type { ObjectStore } from './store.js';

export interface PruneReport {
  packsRemoved: number;
  packsRewritten: number;
  bytesFreed: number;
  /** Leftovers of interrupted saves (temporary files, unfinished multipart uploads) removed. */
  temporariesRemoved: number;
}

/** Every kind but locks: a lock being taken by another process right now is not a leftover. */
const TEMPORARY_KINDS = ['config', 'key', 'index', 'pack', 'manifest'] as const;

/** A pack with more unreferenced bytes than this share is rewritten with only the live chunks. */
const REWRITE_WHEN_UNUSED_SHARE = 0.5;

interface PackUse {
  readonly size: number;
  readonly live: IndexEntry[];
  readonly dead: IndexEntry[];
}

/**
 * Removes what no manifest references. The caller holds the exclusive lock, so no backup runs:
 * a pack no index names (a failed backup's) is garbage, and so is a temporary object an
 * interrupted save left. Order for crash safety: new packs, then
 * the new index, then old indexes, then old packs — no index ever names a missing pack.
 */
export async function runPrune(store: ObjectStore, codec: BlobCodec, config: RepositoryConfig): Promise<PruneReport> {
  const referenced = await referencedChunks(store, codec);
  const index = await loadChunkIndex(store, codec);
  const packs = await packUses(store, index.entries, referenced);
  const keep: IndexEntry[] = [];
  const drop: string[] = [];
  const writer = new PackWriter(store, config.packSizeBytes, codec.maxStoredLength(config.chunkSizeBytes));
  let rewritten = 0;
  for (const [name, use] of packs) {
    if (use.live.length === 0) drop.push(name);
    else if (unusedShare(use) > REWRITE_WHEN_UNUSED_SHARE) {
      await copyLive(store, writer, name, use.live);
      drop.push(name);
      rewritten += 1;
    } else keep.push(...use.live, ...use.dead);
  }
  keep.push(...(await writer.finish()));
  await saveIndexObject(store, codec, uniqueById(keep));
  for (const name of index.objectNames) await store.remove({ kind: 'index', name });
  let bytesFreed = 0;
  for (const name of drop) {
    bytesFreed += packs.get(name)!.size;
    await store.remove({ kind: 'pack', name });
  }
  const temporariesRemoved = await store.removeTemporaries(TEMPORARY_KINDS);
  return { packsRemoved: drop.length, packsRewritten: rewritten, bytesFreed: bytesFreed - writer.bytesWritten, temporariesRemoved };
}

async function referencedChunks(store: ObjectStore, codec: BlobCodec): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const info of store.list('manifest')) {
    const manifest = await loadManifest(store, codec, info.name);
    for (const extent of manifest.extents) if (extent[2] !== null) ids.add(extent[2]);
  }
  return ids;
}

/** Every pack object (named by an index or not) with its live and dead entries. */
async function packUses(store: ObjectStore, entries: readonly IndexEntry[], referenced: Set<string>): Promise<Map<string, PackUse>> {
  const packs = new Map<string, PackUse>();
  for await (const info of store.list('pack')) packs.set(info.name, { size: info.sizeBytes, live: [], dead: [] });
  const placed = new Set<string>();
  for (const entry of entries) {
    const pack = packs.get(entry.pack);
    if (!pack) continue;
    const live = referenced.has(entry.id) && !placed.has(entry.id);
    (live ? pack.live : pack.dead).push(entry);
    if (live) placed.add(entry.id);
  }
  return packs;
}

function unusedShare(use: PackUse): number {
  const live = use.live.reduce((sum, e) => sum + e.length, 0);
  return 1 - live / use.size;
}

/** Copies sealed blobs as they are (no need to open them) into the writer's new packs. */
async function copyLive(store: ObjectStore, writer: PackWriter, pack: string, live: readonly IndexEntry[]): Promise<void> {
  const bytes = await store.load({ kind: 'pack', name: pack });
  for (const e of live) await writer.add(e.id, e.length, (into) => bytes.copy(into, 0, e.offset, e.offset + e.length));
}

function uniqueById(entries: readonly IndexEntry[]): IndexEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.id) && seen.add(e.id));
}
