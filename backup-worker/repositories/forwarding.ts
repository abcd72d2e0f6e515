import type { Readable } from 'node:stream';
import type { ByteRange, LoadOptions, ObjectHandle, ObjectInfo, ObjectKind, OpOptions, Repository, SaveOptions, StoreConcurrency } from './repository.js';

/**
 * A repository that passes every call on to another: the base of wrappers that change a few of
 * them (ThrottledRepository, the engine's ReadAheadStore). `openRange` is there only when the
 * inner repository has it.
 */
export class ForwardingRepository implements Repository {
  readonly openRange?: Repository['openRange'];
  protected readonly inner: Repository;

  constructor(inner: Repository) {
    this.inner = inner;
    this.openRange = inner.openRange?.bind(inner);
  }

  get concurrency(): StoreConcurrency {
    return this.inner.concurrency;
  }

  save(h: ObjectHandle, body: () => Readable, o?: SaveOptions): Promise<void> {
    return this.inner.save(h, body, o);
  }

  load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    return this.inner.load(h, range, o);
  }

  stat(h: ObjectHandle, o?: OpOptions): Promise<ObjectInfo> {
    return this.inner.stat(h, o);
  }

  list(kind: ObjectKind, o?: OpOptions): AsyncIterable<ObjectInfo> {
    return this.inner.list(kind, o);
  }

  remove(h: ObjectHandle, o?: OpOptions): Promise<void> {
    return this.inner.remove(h, o);
  }

  removeTemporaries(kinds: readonly ObjectKind[], o?: OpOptions): Promise<number> {
    return this.inner.removeTemporaries(kinds, o);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
