import type { RepositoryTarget } from './repository-site.js';
import { BASELINE_TOOL, figuresFor, type StepFigures } from './summary.js';
import { mebibytes, megabytes, ratio, ratioAgainstTarget, seconds } from './units.js';

/** One of the issues' performance targets, the repositories it is about, what was measured and whether it is met. */
export interface TargetCheck {
  /** A repository target (local, sftp, s3), or "all" for a target over every one measured. */
  readonly repository: RepositoryTarget | 'all';
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export const FLOE = 'Floe';
export const PEAK_RSS_TARGET_MIB = 160;
/** Issue 4: on a remote repository, full backup and restore at least this many times restic's speed. */
const REMOTE_SPEED_TARGET = 2;

/**
 * The issues' targets for the comparison run (Floe against restic, and Borg on local repositories,
 * on the 1 GiB image): issue 3's on the local target, issue 4's on sftp and s3. A target whose
 * figures are missing (a tool or a repository target left out) is not listed.
 */
export function checkComparisonTargets(figures: readonly StepFigures[], bytesChanged: number): TargetCheck[] {
  return [...localTargets(figures, bytesChanged), ...remoteTargets(figures, 'sftp'), ...remoteTargets(figures, 's3'), peakRssTarget(figures)].filter(
    (check): check is TargetCheck => check !== undefined,
  );
}

function localTargets(figures: readonly StepFigures[], bytesChanged: number): (TargetCheck | undefined)[] {
  const full = figuresFor(figures, 'local', 'full backup', FLOE);
  const borgFull = figuresFor(figures, 'local', 'full backup', 'Borg');
  const incremental = figuresFor(figures, 'local', 'incremental', FLOE);
  const restore = figuresFor(figures, 'local', 'restore', FLOE);
  return [
    full && speedTarget('full backup ≥ 3× restic\'s throughput', full, 3),
    full && borgFull && {
      repository: 'local',
      target: 'full backup faster than Borg (unencrypted)',
      measured: `Floe ${seconds(full.wallS)}, Borg ${seconds(borgFull.wallS)}`,
      met: full.wallS < borgFull.wallS,
    },
    incremental && timeShareTarget('incremental ≤ 1/4 of restic\'s time', incremental, 1 / 4),
    incremental && growthTarget(incremental, bytesChanged),
    restore && speedTarget('restore ≥ 3× restic', restore, 3),
  ];
}

function remoteTargets(figures: readonly StepFigures[], target: RepositoryTarget): (TargetCheck | undefined)[] {
  const full = figuresFor(figures, target, 'full backup', FLOE);
  const restore = figuresFor(figures, target, 'restore', FLOE);
  return [
    full && speedTarget(`full backup ≥ ${REMOTE_SPEED_TARGET}× restic's speed`, full, REMOTE_SPEED_TARGET),
    restore && speedTarget(`restore ≥ ${REMOTE_SPEED_TARGET}× restic's speed`, restore, REMOTE_SPEED_TARGET),
  ];
}

function speedTarget(target: string, f: StepFigures, atLeast: number): TargetCheck | undefined {
  if (f.speedVsBaseline === undefined) return undefined;
  return { repository: f.target, target, measured: `${ratioAgainstTarget(f.speedVsBaseline)} ${BASELINE_TOOL}'s speed`, met: f.speedVsBaseline >= atLeast };
}

function timeShareTarget(target: string, f: StepFigures, atMost: number): TargetCheck | undefined {
  if (f.speedVsBaseline === undefined) return undefined;
  const share = 1 / f.speedVsBaseline;
  return { repository: f.target, target, measured: `${share.toFixed(3)} of ${BASELINE_TOOL}'s time`, met: share <= atMost };
}

function growthTarget(f: StepFigures, bytesChanged: number): TargetCheck | undefined {
  if (f.repoGrowthBytes === undefined) return undefined;
  const times = f.repoGrowthBytes / bytesChanged;
  return {
    repository: f.target,
    target: 'incremental repository growth ≤ 3× the bytes changed',
    measured: `${megabytes(f.repoGrowthBytes)} for ${megabytes(bytesChanged)} changed (${ratio(times)})`,
    met: times <= 3,
  };
}

/** Floe's largest median peak RSS over the steps and repository targets. */
export function peakRssTarget(figures: readonly StepFigures[]): TargetCheck | undefined {
  const floe = figures.filter((f) => f.tool === FLOE);
  if (floe.length === 0) return undefined;
  const peak = floe.reduce((largest, f) => (f.peakRssMiB > largest.peakRssMiB ? f : largest));
  return {
    repository: 'all',
    target: `Floe peak RSS ≤ ${PEAK_RSS_TARGET_MIB} MiB`,
    measured: `${mebibytes(peak.peakRssMiB)} (largest: ${peak.step} on ${peak.target})`,
    met: peak.peakRssMiB <= PEAK_RSS_TARGET_MIB,
  };
}
