import { randomBytes } from 'node:crypto';
import type { ObjectStore } from './store.js';
import { saveBuffers } from './store.js';
import type { BlobCodec } from './blob-codec.js';
import { inOrderAhead } from './in-order.js';

/** Where a stored chunk lives: a byte range of a pack. */
export interface ChunkLocation {
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

export interface IndexEntry extends ChunkLocation {
  readonly id: string;
}

/** An index object's body: per pack, [chunk id, offset, length] triples. */
interface IndexDocument {
  readonly formatVersion: 1;
  readonly packs: Record<string, Array<[string, number, number]>>;
}

/** Every chunk id of the repository with one location; built from all index objects. */
export class ChunkIndex {
  readonly #locations = new Map<string, ChunkLocation>();
  readonly objectNames: string[] = [];
  readonly entries: IndexEntry[] = [];

  has(id: string): boolean {
    return this.#locations.has(id);
  }

  get(id: string): ChunkLocation | undefined {
    return this.#locations.get(id);
  }

  add(entry: IndexEntry): void {
    this.entries.push(entry);
    if (!this.#locations.has(entry.id)) this.#locations.set(entry.id, entry);
  }
}

/**
 * Index objects loaded at once: a repository holds one per backup, and one request after the other
 * would cost a round trip each to a remote store before every backup and restore.
 */
export const INDEX_LOADS_AT_ONCE = 8;

/** Builds the index from every index object, added in the order the store lists them. */
export async function loadChunkIndex(store: ObjectStore, codec: BlobCodec): Promise<ChunkIndex> {
  const names: string[] = [];
  for await (const info of store.list('index')) names.push(info.name);
  const load = (i: number): Promise<IndexDocument> => store.load({ kind: 'index', name: names[i] }).then((bytes) => codec.openJson(bytes) as Promise<IndexDocument>);
  const index = new ChunkIndex();
  let i = 0;
  for await (const doc of inOrderAhead(names.length, INDEX_LOADS_AT_ONCE, load)) {
    for (const [pack, triples] of Object.entries(doc.packs)) {
      for (const [id, offset, length] of triples) index.add({ id, pack, offset, length });
    }
    index.objectNames.push(names[i++]);
  }
  return index;
}

/** Writes one index object (after the packs it names); returns its size in bytes. */
export async function saveIndexObject(store: ObjectStore, codec: BlobCodec, entries: readonly IndexEntry[]): Promise<number> {
  const packs: IndexDocument['packs'] = {};
  for (const e of entries) (packs[e.pack] ??= []).push([e.id, e.offset, e.length]);
  const name = randomBytes(32).toString('hex');
  const body = await codec.sealJson({ formatVersion: 1, packs });
  await saveBuffers(store, { kind: 'index', name }, [body]);
  return body.length;
}
