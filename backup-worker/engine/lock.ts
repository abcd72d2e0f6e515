import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ObjectNotFoundError } from '../repositories/repository.js';
import { RepositoryLockedError } from './errors.js';
import { saveBuffers, type ObjectStore } from './store.js';

/**
 * Lock objects (`lock/<kind>-<random>`), as restic's: a backup holds a shared lock, prune an
 * exclusive one; an exclusive lock excludes every other lock. A lock is stale when its process
 * is gone (same host) or it was not refreshed for STALE_AFTER_MS; stale locks are removed.
 */
export type LockKind = 'shared' | 'exclusive';

interface LockBody {
  readonly kind: LockKind;
  readonly operation: string;
  readonly host: string;
  readonly pid: number;
  readonly refreshedAt: number;
}

const REFRESH_EVERY_MS = 5 * 60 * 1000;
const STALE_AFTER_MS = 30 * 60 * 1000;

/**
 * Locks this process could not remove (the store was unreachable when the operation ended). Our
 * process is alive, so others would take them as held: they are removed at the next chance
 * (the next lock taken on that store, or `releaseLeftoverLocks`).
 */
const leftovers = new WeakMap<ObjectStore, Set<string>>();

export class HeldLock {
  readonly #store: ObjectStore;
  readonly #name: string;
  readonly #timer: NodeJS.Timeout;

  constructor(store: ObjectStore, name: string, body: LockBody) {
    this.#store = store;
    this.#name = name;
    this.#timer = setInterval(() => void writeLock(store, name, { ...body, refreshedAt: Date.now() }), REFRESH_EVERY_MS);
    this.#timer.unref();
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    await removeLock(this.#store, this.#name);
  }
}

/** Removes the locks of this process that an earlier release could not; keeps those that still fail. */
export async function releaseLeftoverLocks(store: ObjectStore): Promise<void> {
  for (const name of [...(leftovers.get(store) ?? [])]) {
    leftovers.get(store)?.delete(name);
    await removeLock(store, name);
  }
}

async function removeLock(store: ObjectStore, name: string): Promise<void> {
  try {
    await store.remove({ kind: 'lock', name });
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return;
    leftovers.set(store, (leftovers.get(store) ?? new Set()).add(name));
  }
}

export async function acquireLock(store: ObjectStore, kind: LockKind, operation: string): Promise<HeldLock> {
  await releaseLeftoverLocks(store);
  const name = `${kind}-${randomBytes(16).toString('hex')}`;
  const body: LockBody = { kind, operation, host: hostname(), pid: process.pid, refreshedAt: Date.now() };
  await writeLock(store, name, body);
  const holder = await findConflict(store, name, kind);
  if (holder) {
    await store.remove({ kind: 'lock', name }).catch(() => undefined);
    throw new RepositoryLockedError(operation, `${holder.operation} (pid ${holder.pid} on ${holder.host})`);
  }
  return new HeldLock(store, name, body);
}

async function findConflict(store: ObjectStore, own: string, kind: LockKind): Promise<LockBody | undefined> {
  for await (const info of store.list('lock')) {
    if (info.name === own) continue;
    const other = await readLock(store, info.name);
    if (!other) continue;
    if (isStale(other)) await store.remove({ kind: 'lock', name: info.name }).catch(() => undefined);
    else if (kind === 'exclusive' || other.kind === 'exclusive') return other;
  }
  return undefined;
}

async function readLock(store: ObjectStore, name: string): Promise<LockBody | undefined> {
  try {
    return JSON.parse((await store.load({ kind: 'lock', name })).toString('utf8')) as LockBody;
  } catch (err) {
    if (err instanceof ObjectNotFoundError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

function writeLock(store: ObjectStore, name: string, body: LockBody): Promise<void> {
  return saveBuffers(store, { kind: 'lock', name }, [Buffer.from(JSON.stringify(body))]);
}

function isStale(lock: LockBody): boolean {
  if (Date.now() - lock.refreshedAt > STALE_AFTER_MS) return true;
  return lock.host === hostname() && !processAlive(lock.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
