import type { ObjectHandle, ObjectKind } from './repository.js';

/**
 * The one layout every repository type uses under its root, prefix or container, so that a
 * repository can be copied between types as a tree: a directory per kind, packs sharded by the
 * first two characters of their name (as restic's data/ directory).
 */
export const KIND_DIRS: Readonly<Record<ObjectKind, string>> = {
  config: 'config',
  key: 'keys',
  lock: 'locks',
  index: 'index',
  pack: 'packs',
  manifest: 'manifests',
};

/** Names of objects being written where a write is not atomic (files): never listed, removed by prune. */
export const TEMP_PREFIX = '.tmp-';

/** The directory of an object relative to the root, with '/' separators: `packs/ab`, `index`. */
export function objectDir(h: ObjectHandle): string {
  return h.kind === 'pack' ? `${KIND_DIRS.pack}/${h.name.slice(0, 2)}` : KIND_DIRS[h.kind];
}

/** The object's path relative to the root: `packs/ab/ab12…`, `manifests/<id>`. */
export function objectPath(h: ObjectHandle): string {
  return `${objectDir(h)}/${h.name}`;
}
