import type { RepositoryTarget } from './repository-site.js';
import { STEPS, type Step, type StepSample } from './round.js';

export const BASELINE_TOOL = 'restic';

/** Medians over the rounds of one step of one tool on one repository target. */
export interface StepFigures {
  readonly target: RepositoryTarget;
  readonly step: Step;
  readonly tool: string;
  readonly rounds: number;
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMiB: number;
  readonly repoGrowthBytes?: number;
  /** restic's wall time on the same target over this tool's (above 1: faster than restic); undefined without restic. */
  readonly speedVsBaseline?: number;
  /** A restore only: the `sync` run right after it (StepSample.syncAfterS), and what the two took together. */
  readonly onDisk?: OnDiskFigures;
}

/** Medians of a restore's time until its data is on the disk. */
export interface OnDiskFigures {
  readonly syncAfterS: number;
  /** The restore's wall time plus the sync after it, per round. */
  readonly untilOnDiskS: number;
  /** As speedVsBaseline, on untilOnDiskS. */
  readonly speedVsBaseline?: number;
}

/** A tool the bench ran on a target, by name. */
export interface LineupEntry {
  readonly target: RepositoryTarget;
  readonly tool: string;
}

/** Per target (in `lineup` order), step (in STEPS order) and tool (in `lineup` order), the medians of its samples. */
export function summarize(samples: readonly StepSample[], lineup: readonly LineupEntry[]): StepFigures[] {
  const targets = [...new Set(lineup.map((entry) => entry.target))];
  return targets.flatMap((target) =>
    STEPS.flatMap((step) => {
      const ofStep = samples.filter((s) => s.target === target && s.step === step);
      const baseline = ofStep.filter((s) => s.tool === BASELINE_TOOL);
      const baselineWall = baseline.length > 0 ? median(baseline.map((s) => s.usage.wallS)) : undefined;
      const baselineOnDisk = untilOnDisk(baseline);
      const tools = lineup.filter((entry) => entry.target === target).map((entry) => entry.tool);
      return tools.map((tool) => figuresOf({ target, step, tool }, ofStep.filter((s) => s.tool === tool), baselineWall, baselineOnDisk));
    }),
  );
}

function figuresOf(
  of: Pick<StepFigures, 'target' | 'step' | 'tool'>,
  samples: readonly StepSample[],
  baselineWall: number | undefined,
  baselineOnDisk: number | undefined,
): StepFigures {
  const growth = samples.flatMap((s) => (s.repoGrowthBytes === undefined ? [] : [s.repoGrowthBytes]));
  const wallS = median(samples.map((s) => s.usage.wallS));
  return {
    ...of,
    rounds: samples.length,
    wallS,
    cpuS: median(samples.map((s) => s.usage.cpuS)),
    peakRssMiB: median(samples.map((s) => s.usage.peakRssKiB)) / 1024,
    repoGrowthBytes: growth.length > 0 ? median(growth) : undefined,
    speedVsBaseline: baselineWall === undefined ? undefined : baselineWall / wallS,
    onDisk: onDiskOf(samples, baselineOnDisk),
  };
}

/** A restore's figures until on disk, against the baseline's; undefined unless every sample had a sync after it. */
function onDiskOf(samples: readonly StepSample[], baselineOnDisk: number | undefined): OnDiskFigures | undefined {
  const untilOnDiskS = untilOnDisk(samples);
  if (untilOnDiskS === undefined) return undefined;
  const syncs = samples.flatMap((s) => (s.syncAfterS === undefined ? [] : [s.syncAfterS]));
  return { syncAfterS: median(syncs), untilOnDiskS, speedVsBaseline: baselineOnDisk === undefined ? undefined : baselineOnDisk / untilOnDiskS };
}

/** The median of wall time plus the sync after it, when there are samples and every one had a sync (restores). */
function untilOnDisk(samples: readonly StepSample[]): number | undefined {
  const totals = samples.flatMap((s) => (s.syncAfterS === undefined ? [] : [s.usage.wallS + s.syncAfterS]));
  return totals.length > 0 && totals.length === samples.length ? median(totals) : undefined;
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function figuresFor(figures: readonly StepFigures[], target: RepositoryTarget, step: Step, tool: string): StepFigures | undefined {
  return figures.find((f) => f.target === target && f.step === step && f.tool === tool);
}
