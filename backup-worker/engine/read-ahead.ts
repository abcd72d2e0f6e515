import { ForwardingRepository } from '../repositories/forwarding.js';
import { listAll, type ByteRange, type LoadOptions, type ObjectHandle, type ObjectInfo, type ObjectKind, type OpOptions } from '../repositories/repository.js';
import { INDEX_LOADS_AT_ONCE } from './chunk-index.js';
import { isValidBackupId, manifestHandle } from './manifest.js';
import type { ObjectStore } from './store.js';

/** The first reads a command will make, started before it can make them. */
export interface ReadsAhead {
  /** Objects loaded whole. */
  readonly objects: readonly ObjectHandle[];
  /** Kinds listed, and their first `loadsPerKind` objects loaded whole. */
  readonly kinds: readonly ObjectKind[];
  readonly loadsPerKind: number;
}

/**
 * What a restore or a verify of `backupId` reads first: its manifest, and the index objects. An
 * invalid backup id (`../config`) is never asked of the store, as loadManifest never asks it.
 */
export function backupReadsAhead(backupId: string): ReadsAhead {
  const objects = isValidBackupId(backupId) ? [manifestHandle(backupId)] : [];
  return { objects, kinds: ['index'], loadsPerKind: INDEX_LOADS_AT_ONCE };
}

/**
 * A store whose first whole-object loads and listings can be started ahead: floe-agent's restore
 * and verify start the manifest's load and the index's listing and loads once the repository
 * config is read, and scrypt derives the key meanwhile. On a remote store, the round trips a
 * restore made after the key (a listing, then the index objects, a few at once) are then behind
 * it. A started call serves the first matching call, with its result or its error; every other call
 * goes to the store.
 */
export class ReadAheadStore extends ForwardingRepository {
  readonly #reads: ReadsAhead;
  readonly #loads = new Map<string, Promise<Buffer>>();
  readonly #listings = new Map<ObjectKind, Promise<ObjectInfo[]>>();

  constructor(inner: ObjectStore, reads: ReadsAhead) {
    super(inner);
    this.#reads = reads;
  }

  /** Starts the reads ahead (once the caller knows the store holds a repository). */
  start(): void {
    const { objects, kinds, loadsPerKind } = this.#reads;
    for (const h of objects) this.#startLoad(h);
    for (const kind of kinds) {
      const listing = keep(this.#listings, kind, listAll(this.inner, kind));
      void listing.then((infos) => infos.slice(0, loadsPerKind).forEach((info) => this.#startLoad(info)), () => undefined);
    }
  }

  override load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    const started = range ? undefined : take(this.#loads, keyOf(h));
    return started ?? this.inner.load(h, range, o);
  }

  override async *list(kind: ObjectKind, o?: OpOptions): AsyncIterable<ObjectInfo> {
    const started = take(this.#listings, kind);
    yield* started ? await started : this.inner.list(kind, o);
  }

  #startLoad(h: ObjectHandle): void {
    const key = keyOf(h);
    if (!this.#loads.has(key)) keep(this.#loads, key, this.inner.load(h));
  }
}

/** Keeps `call` for the first caller; a failure nobody asks for is not an unhandled rejection. */
function keep<K, T>(calls: Map<K, Promise<T>>, key: K, call: Promise<T>): Promise<T> {
  call.catch(() => undefined);
  calls.set(key, call);
  return call;
}

function keyOf(h: ObjectHandle): string {
  return `${h.kind}/${h.name}`;
}

function take<K, T>(calls: Map<K, T>, key: K): T | undefined {
  const call = calls.get(key);
  calls.delete(key);
  return call;
}
