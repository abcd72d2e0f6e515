import { BASELINE_TOOL, figuresFor, type StepFigures } from './summary.js';
import { mebibytes, megabytes, ratio, seconds } from './units.js';

/** One of issue 3's performance targets, what was measured against it, and whether it is met. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export const FLOE = 'Floe';
export const PEAK_RSS_TARGET_MIB = 160;

/**
 * The targets for the comparison run (Floe, restic and Borg on the 1 GiB image). A target
 * whose figures are missing (a tool left out) is not listed.
 */
export function checkComparisonTargets(figures: readonly StepFigures[], bytesChanged: number): TargetCheck[] {
  const floe = (step: StepFigures['step']) => figuresFor(figures, step, FLOE);
  const full = floe('full backup');
  const borgFull = figuresFor(figures, 'full backup', 'Borg');
  const incremental = floe('incremental');
  const restore = floe('restore');
  return [
    full && speedTarget('full backup ≥ 3× restic\'s throughput', full, 3),
    full && borgFull && {
      target: 'full backup faster than Borg (unencrypted)',
      measured: `Floe ${seconds(full.wallS)}, Borg ${seconds(borgFull.wallS)}`,
      met: full.wallS < borgFull.wallS,
    },
    incremental && timeShareTarget('incremental ≤ 1/4 of restic\'s time', incremental, 1 / 4),
    incremental && growthTarget(incremental, bytesChanged),
    restore && speedTarget('restore ≥ 3× restic', restore, 3),
    peakRssTarget(figures),
  ].filter((check): check is TargetCheck => check !== undefined);
}

function speedTarget(target: string, f: StepFigures, atLeast: number): TargetCheck | undefined {
  if (f.speedVsBaseline === undefined) return undefined;
  return { target, measured: `${ratio(f.speedVsBaseline)} ${BASELINE_TOOL}'s speed`, met: f.speedVsBaseline >= atLeast };
}

function timeShareTarget(target: string, f: StepFigures, atMost: number): TargetCheck | undefined {
  if (f.speedVsBaseline === undefined) return undefined;
  const share = 1 / f.speedVsBaseline;
  return { target, measured: `${share.toFixed(2)} of ${BASELINE_TOOL}'s time`, met: share <= atMost };
}

function growthTarget(f: StepFigures, bytesChanged: number): TargetCheck | undefined {
  if (f.repoGrowthBytes === undefined) return undefined;
  const times = f.repoGrowthBytes / bytesChanged;
  return {
    target: 'incremental repository growth ≤ 3× the bytes changed',
    measured: `${megabytes(f.repoGrowthBytes)} for ${megabytes(bytesChanged)} changed (${ratio(times)})`,
    met: times <= 3,
  };
}

/** Floe's largest median peak RSS over the steps. */
export function peakRssTarget(figures: readonly StepFigures[]): TargetCheck | undefined {
  const peaks = figures.filter((f) => f.tool === FLOE).map((f) => f.peakRssMiB);
  if (peaks.length === 0) return undefined;
  const peak = Math.max(...peaks);
  return { target: `Floe peak RSS ≤ ${PEAK_RSS_TARGET_MIB} MiB`, measured: `${mebibytes(peak)} (largest step)`, met: peak <= PEAK_RSS_TARGET_MIB };
}
