import { expect } from 'chai';
import { parseProcStat, readCpuTimes, stolenShare } from '../../../bench/cpu-steal.js';
import { stealNote } from '../../../bench/backup/report.js';

// A /proc/stat of a 2-CPU guest: user nice system idle iowait irq softirq steal guest guest_nice.
const STAT = (steal: number, idle: number) =>
  [`cpu  1000 5 300 ${idle} 20 0 10 ${steal} 400 0`, 'cpu0 500 2 150 9000 10 0 5 50 200 0', 'intr 12345', ''].join('\n');

describe('bench: CPU time stolen by the host', () => {
  it('reads the aggregate line up to steal, guest time being part of user already', () => {
    expect(parseProcStat(STAT(100, 18000))).to.deep.equal({ total: 1000 + 5 + 300 + 18000 + 20 + 0 + 10 + 100, steal: 100 });
  });

  it('gives the stolen share of the CPU time between two readings', () => {
    const share = stolenShare(parseProcStat(STAT(100, 18000)), parseProcStat(STAT(400, 18700)));
    expect(share).to.be.closeTo(300 / 1000, 1e-9);
    expect(stealNote(share)).to.equal('; the host took 30 % of the CPU time while the rounds ran (steal)');
  });

  it('says nothing when it cannot know', () => {
    expect(parseProcStat('intr 1\n')).to.equal(undefined);
    expect(parseProcStat('cpu  1 2 x 4 5 6 7 8\n')).to.equal(undefined);
    expect(stolenShare(undefined, parseProcStat(STAT(1, 1)))).to.equal(undefined);
    expect(stolenShare(parseProcStat(STAT(1, 1)), parseProcStat(STAT(1, 1)))).to.equal(undefined);
    expect(stealNote(undefined)).to.equal('');
  });

  it('reads this machine', async () => {
    const times = await readCpuTimes();
    expect(times?.total).to.be.greaterThan(0);
    expect(times?.steal).to.be.at.least(0);
  });
});
