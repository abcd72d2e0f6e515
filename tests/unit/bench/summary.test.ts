import { expect } from 'chai';
import { STEPS, type StepSample } from '../../../bench/backup/round.js';
import { summarize } from '../../../bench/backup/summary.js';

const usage = (wallS: number) => ({ wallS, cpuS: wallS, peakRssKiB: 100 * 1024 });

/** One round of `tool` on the local target: backups of 1 s, and a restore followed by a sync. */
const round = (tool: string, restoreS: number, syncAfterS: number): StepSample[] =>
  STEPS.map((step) =>
    step === 'restore'
      ? { step, target: 'local', tool, usage: usage(restoreS), syncAfterS }
      : { step, target: 'local', tool, usage: usage(1), repoGrowthBytes: 10 },
  );

describe('bench: medians over the rounds', () => {
  const lineup = [
    { target: 'local', tool: 'Floe' },
    { target: 'local', tool: 'restic' },
  ] as const;
  const samples = [
    ...round('Floe', 0.7, 0),
    ...round('Floe', 0.6, 0.2),
    ...round('Floe', 0.9, 0),
    ...round('restic', 1.5, 0.5),
    ...round('restic', 1.4, 0.4),
    ...round('restic', 1.6, 0.5),
  ];

  it('times a restore until on disk as the median of each round\'s restore plus the sync after it', () => {
    const [floe, restic] = summarize(samples, lineup).filter((f) => f.step === 'restore');
    // Floe's sums are 0.7, 0.8 and 0.9: their median, not the sum of the two medians (0.7 + 0).
    expect(floe.onDisk?.untilOnDiskS).to.be.closeTo(0.8, 1e-9);
    expect(floe.onDisk?.syncAfterS).to.equal(0);
    // restic's sums are 2.0, 1.8 and 2.1.
    expect(restic.onDisk?.untilOnDiskS).to.be.closeTo(2.0, 1e-9);
    expect(floe.onDisk?.speedVsBaseline).to.be.closeTo(2.0 / 0.8, 1e-9);
    expect(floe.speedVsBaseline).to.be.closeTo(1.5 / 0.7, 1e-9);
  });

  it('gives a backup, which is not followed by a sync, no time until on disk', () => {
    const backups = summarize(samples, lineup).filter((f) => f.step !== 'restore');
    expect(backups).to.have.length(4);
    for (const figures of backups) expect(figures.onDisk).to.equal(undefined);
  });
});
