import { expect } from 'chai';
import { checkComparisonTargets } from '../../../bench/backup/targets.js';
import type { StepFigures } from '../../../bench/backup/summary.js';

const floe = (wallS: number, resticWallS: number, peakRssMiB = 150): StepFigures => ({
  target: 'sftp',
  step: 'restore',
  tool: 'Floe',
  rounds: 3,
  wallS,
  cpuS: wallS,
  peakRssMiB,
  speedVsBaseline: resticWallS / wallS,
});

describe('bench: the issues\' targets', () => {
  it('shows a ratio just below its target with two decimals, so that it does not read as met', () => {
    const [restore] = checkComparisonTargets([floe(2.46, 4.86)], 1e6);
    expect(restore).to.deep.include({ repository: 'sftp', target: "restore ≥ 2× restic's speed", measured: "1.98× restic's speed", met: false });
  });

  it('meets a speed target at exactly the ratio asked for', () => {
    const [restore] = checkComparisonTargets([floe(2.5, 5)], 1e6);
    expect(restore).to.deep.include({ measured: "2.00× restic's speed", met: true });
  });

  it('checks the largest peak RSS against 160 MiB', () => {
    const checks = checkComparisonTargets([floe(2, 5, 161)], 1e6);
    expect(checks.at(-1)).to.deep.equal({ repository: 'all', target: 'Floe peak RSS ≤ 160 MiB', measured: '161 MiB (largest: restore on sftp)', met: false });
  });
});
