import os from 'node:os';
import { acceptedIds, type BurstResult } from './create-burst.js';

/** What one run of the API benchmark measured. */
export interface Figures {
  readonly requested: number;
  readonly concurrency: number;
  readonly accepted: number;
  readonly available: number;
  readonly errored: number;
  readonly timedOut: boolean;
  readonly latencyP50Ms: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly postsPerSecond: number;
  readonly volumesPerSecond: number;
  /** Volumes per backend. */
  readonly spread: ReadonlyMap<string, number>;
}

export interface Machine {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
}

export function computeFigures(burst: BurstResult, concurrency: number, spread: ReadonlyMap<string, number>): Figures {
  const ids = acceptedIds(burst.posts);
  const start = Math.min(...burst.posts.map((p) => p.startedAt));
  const lastAnswer = Math.max(...burst.posts.map((p) => p.answeredAt));
  const latencies = createToAvailable(burst);
  const lastAvailable = Math.max(start, ...ids.flatMap((id) => burst.availableAt.get(id) ?? []));
  return {
    requested: burst.posts.length,
    concurrency,
    accepted: ids.length,
    available: latencies.length,
    errored: ids.filter((id) => burst.errored.has(id)).length,
    timedOut: burst.timedOut,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    postsPerSecond: perSecond(burst.posts.length, lastAnswer - start),
    volumesPerSecond: perSecond(latencies.length, lastAvailable - start),
    spread,
  };
}

/** Per volume: from the start of its POST to the poll that first saw it available. */
function createToAvailable(burst: BurstResult): number[] {
  return burst.posts.flatMap((p) => {
    const at = p.volumeId === undefined ? undefined : burst.availableAt.get(p.volumeId);
    return at === undefined ? [] : [at - p.startedAt];
  });
}

/** Nearest-rank percentile (the smallest value with at least p% of the values at or below it). */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

export function allAvailable(figures: Figures): boolean {
  return figures.available === figures.requested;
}

/** Label/value pairs, shared by the stdout table and the docs section. */
export function figureRows(f: Figures): [string, string][] {
  return [
    ['volumes requested (1 GB each)', String(f.requested)],
    ['concurrent POSTs', String(f.concurrency)],
    ['POSTs accepted (202)', String(f.accepted)],
    ['reached available', `${f.available}${f.timedOut ? ' (timed out waiting)' : ''}`],
    ['ended in error', String(f.errored)],
    ['create → available p50', milliseconds(f.latencyP50Ms)],
    ['create → available p99', milliseconds(f.latencyP99Ms)],
    ['POST requests/s', f.postsPerSecond.toFixed(1)],
    ['end-to-end volumes/s', f.volumesPerSecond.toFixed(1)],
    ['spread per backend', spreadText(f.spread)],
  ];
}

function milliseconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${Math.round(ms)} ms`;
}

function spreadText(spread: ReadonlyMap<string, number>): string {
  if (spread.size === 0) return '-';
  return [...spread].sort(([a], [b]) => a.localeCompare(b)).map(([host, n]) => `${host}: ${n}`).join(', ');
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
  };
}
