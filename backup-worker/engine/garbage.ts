import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type CollectGarbage = () => void;

type ExposedGc = (options?: { type: 'minor' }) => void;

/**
 * Node offers V8's collector only behind --expose-gc, which a context created while the flag is
 * on receives; the flag is put back at once.
 */
export function exposeGc(): ExposedGc {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as ExposedGc;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

let exposedGc: ExposedGc | undefined;

/** A scavenge of V8's young generation; the context that offers it is made on the first call, not at start-up. */
function scavenge(): void {
  exposedGc ??= exposeGc();
  exposedGc({ type: 'minor' });
}

/** Chunk data processed between two collections. */
const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Every chunk a backup seals leaves short-lived buffers outside V8's heap (the compressor's and
 * the cipher's outputs). V8 frees them only when it collects their young wrappers, which it did
 * after tens of MiB had piled up: about 30 MiB of a local backup's peak RSS (docs/benchmarks.md).
 * A scavenge every few MiB of chunks frees them early; each costs about a millisecond, as almost
 * nothing in the young generation is still alive. (Restores are not paced: paced the same way,
 * remote restores used more CPU and peaked no lower.)
 */
export class GarbagePacer {
  readonly #everyBytes: number;
  readonly #collect: CollectGarbage;
  #sinceLast = 0;

  constructor(everyBytes = COLLECT_EVERY_BYTES, collect: CollectGarbage = scavenge) {
    this.#everyBytes = everyBytes;
    this.#collect = collect;
  }

  /** Counts `bytes` of chunk data done with; collects once `everyBytes` have passed since the last time. */
  processed(bytes: number): void {
    this.#sinceLast += bytes;
    if (this.#sinceLast < this.#everyBytes) return;
    this.#sinceLast = 0;
    this.#collect();
  }
}
