import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../common/errors.js';
import type { FloeApi } from '../cli/floe-api.js';
import { failureReason } from '../cli/wait.js';
import type { Volume } from '../cli/types.js';

export interface BurstOptions {
  readonly count: number;
  readonly concurrency: number;
  readonly sizeGb: number;
  /** Volume names are `<namePrefix>-<n>`. */
  readonly namePrefix: string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  /** Hears a one-line progress summary every few seconds. */
  readonly onProgress?: (summary: string) => void;
}

const PROGRESS_EVERY_MS = 5000;

/** One POST /volumes: when it started and answered (performance.now() ms), and its volume id or error. */
export interface CreatePost {
  readonly startedAt: number;
  readonly answeredAt: number;
  readonly volumeId?: string;
  readonly error?: string;
}

export interface BurstResult {
  readonly posts: readonly CreatePost[];
  /** When each volume was first seen `available` by the poller. */
  readonly availableAt: ReadonlyMap<string, number>;
  /** Volumes seen in `error`. */
  readonly errored: ReadonlySet<string>;
  readonly timedOut: boolean;
}

/** Fires the creates (at most `concurrency` in flight) while polling `/volumes/detail` until each settles. */
export async function runCreateBurst(api: FloeApi, options: BurstOptions): Promise<BurstResult> {
  const sightings = new Sightings();
  const deadline = performance.now() + options.timeoutMs;
  let posted: readonly CreatePost[] | undefined;
  const posting = inParallel(range(options.count), options.concurrency, (n) => postCreate(api, options, n)).then((p) => {
    posted = p;
    return p;
  });
  const settled = () => posted !== undefined && pendingIds(posted, sightings).length === 0;
  const progress = setInterval(() => options.onProgress?.(sightings.summary(options.count)), PROGRESS_EVERY_MS);
  try {
    const [posts, finished] = await Promise.all([posting, pollVolumes(api, sightings, settled, deadline, options.pollIntervalMs)]);
    return { posts, availableAt: sightings.availableAt, errored: sightings.errored, timedOut: !finished };
  } finally {
    clearInterval(progress);
  }
}

async function postCreate(api: FloeApi, options: BurstOptions, n: number): Promise<CreatePost> {
  const startedAt = performance.now();
  try {
    const volume = await api.createVolume({ size: options.sizeGb, name: `${options.namePrefix}-${n}` });
    return { startedAt, answeredAt: performance.now(), volumeId: volume.id };
  } catch (err) {
    return { startedAt, answeredAt: performance.now(), error: errorMessage(err) };
  }
}

/** First sightings by id of every volume listed (a volume can be listed before its POST answers). */
class Sightings {
  readonly availableAt = new Map<string, number>();
  readonly errored = new Set<string>();

  record(volumes: readonly Volume[], at: number): void {
    for (const v of volumes) {
      if (v.status === 'available' && !this.availableAt.has(v.id)) this.availableAt.set(v.id, at);
      if (v.status === 'error') this.errored.add(v.id);
    }
  }

  isSettled(id: string): boolean {
    return this.availableAt.has(id) || this.errored.has(id);
  }

  /** Counts every volume listed, ours or not: close enough for a progress line. */
  summary(count: number): string {
    return `${this.availableAt.size} of ${count} seen available, ${this.errored.size} in error`;
  }
}

function pendingIds(posts: readonly CreatePost[], sightings: Sightings): string[] {
  return acceptedIds(posts).filter((id) => !sightings.isSettled(id));
}

export function acceptedIds(posts: readonly CreatePost[]): string[] {
  return posts.flatMap((p) => (p.volumeId === undefined ? [] : [p.volumeId]));
}

/** Polls every `intervalMs` (or back to back when a poll takes longer); false when the deadline passed. */
async function pollVolumes(
  api: FloeApi,
  sightings: Sightings,
  settled: () => boolean,
  deadline: number,
  intervalMs: number,
): Promise<boolean> {
  while (!settled()) {
    if (performance.now() > deadline) return false;
    const began = performance.now();
    const volumes = await api.listVolumes();
    sightings.record(volumes, performance.now());
    await sleep(Math.max(0, intervalMs - (performance.now() - began)));
  }
  return true;
}

/**
 * Volumes of `ids` per backend, from `os-vol-host-attr:host` (`host@backend#pool`, which an admin
 * sees); a volume placed on another host than `ourHost` keeps its whole host string.
 */
export async function spreadByBackend(admin: FloeApi, ourHost: string, ids: readonly string[]): Promise<Map<string, number>> {
  const ours = new Set(ids);
  const spread = new Map<string, number>();
  for (const v of await admin.listVolumes({ allProjects: true })) {
    if (!ours.has(v.id)) continue;
    const where = backendLabel(v['os-vol-host-attr:host'] ?? '(not scheduled)', ourHost);
    spread.set(where, (spread.get(where) ?? 0) + 1);
  }
  return spread;
}

function backendLabel(host: string, ourHost: string): string {
  const [node, backendAndPool] = host.split('@');
  return node === ourHost && backendAndPool ? backendAndPool.split('#')[0] : host;
}

/** Why volumes ended in error: their user messages, counted (at most `sample` volumes are asked). */
export async function errorReasons(api: FloeApi, ids: readonly string[], sample: number): Promise<Map<string, number>> {
  const reasons = new Map<string, number>();
  for (const reason of await inParallel(ids.slice(0, sample), 5, (id) => failureReason(api, id))) {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return reasons;
}

export interface CleanupResult {
  readonly failures: readonly string[];
  /** Volumes still listed when the cleanup gave up waiting. */
  readonly remaining: number;
}

/** Deletes the volumes and waits (bounded) until the API no longer lists those it accepted to delete. */
export async function deleteVolumes(
  api: FloeApi,
  ids: readonly string[],
  options: Pick<BurstOptions, 'concurrency' | 'pollIntervalMs' | 'timeoutMs'>,
): Promise<CleanupResult> {
  const refused = await inParallel(ids, options.concurrency, async (id) => {
    try {
      await api.deleteVolume(id);
      return undefined;
    } catch (err) {
      return { id, reason: errorMessage(err) };
    }
  });
  const failures = refused.filter((r) => r !== undefined);
  const accepted = new Set(ids.filter((id) => !failures.some((f) => f.id === id)));
  const remaining = await waitUntilUnlisted(api, accepted, performance.now() + options.timeoutMs, options.pollIntervalMs);
  return { failures: failures.map((f) => `${f.id}: ${f.reason}`), remaining };
}

async function waitUntilUnlisted(api: FloeApi, ids: ReadonlySet<string>, deadline: number, intervalMs: number): Promise<number> {
  for (;;) {
    const left = (await api.listVolumes()).filter((v) => ids.has(v.id) && v.status !== 'error_deleting').length;
    if (left === 0 || performance.now() > deadline) return left;
    await sleep(intervalMs);
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the items' order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, n) => n);
}
