import { expect } from 'chai';
import { formatBytes, formatTransfer } from '../../../cli/progress.js';

const MIB = 1024 * 1024;

describe('cli transfer progress line', () => {
  it('shows bar, percent, bytes, rate and ETA', () => {
    const line = formatTransfer({ doneBytes: 0, totalBytes: 400 * MIB, atMs: 0 }, { doneBytes: 100 * MIB, totalBytes: 400 * MIB, atMs: 2000 });
    expect(line).to.equal('[######------------------]  25.0%  100.0 MiB / 400.0 MiB  50.0 MiB/s  ETA 6s');
  });

  it('leaves rate and ETA out until bytes move, and never passes 100%', () => {
    expect(formatTransfer({ doneBytes: 0, totalBytes: 0, atMs: 0 }, { doneBytes: 0, totalBytes: 0, atMs: 0 })).to.equal(`[${'-'.repeat(24)}]   0.0%  0 B / 0 B`);
    expect(formatTransfer({ doneBytes: 5, totalBytes: 4, atMs: 0 }, { doneBytes: 5, totalBytes: 4, atMs: 10 })).to.match(/100\.0%/);
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).to.equal('512 B');
    expect(formatBytes(3 * 1024 ** 3)).to.equal('3.0 GiB');
  });
});
