import { expect } from 'chai';
import { matchesExtraSpec } from '../../../scheduler/extra-specs.js';

describe('scheduler extra-spec operators', () => {
  it('compares plainly without an operator', () => {
    expect(matchesExtraSpec('gold', 'gold')).to.equal(true);
    expect(matchesExtraSpec('gold', 'silver')).to.equal(false);
    expect(matchesExtraSpec(10, '10')).to.equal(true);
    expect(matchesExtraSpec(true, 'True')).to.equal(true);
    expect(matchesExtraSpec(false, 'True')).to.equal(false);
    expect(matchesExtraSpec(true, 'maybe')).to.equal(false);
  });

  it('matches booleans with <is>', () => {
    expect(matchesExtraSpec(true, '<is> True')).to.equal(true);
    expect(matchesExtraSpec('true', '<is> True')).to.equal(true);
    expect(matchesExtraSpec(false, '<is> True')).to.equal(false);
    expect(matchesExtraSpec(false, '<is> False')).to.equal(true);
    expect(matchesExtraSpec('gold', '<is> False')).to.equal(false);
  });

  it('compares numbers with >=, <=, ==, != and = (at least)', () => {
    expect(matchesExtraSpec(100, '>= 50')).to.equal(true);
    expect(matchesExtraSpec(40, '>= 50')).to.equal(false);
    expect(matchesExtraSpec('40', '<= 50')).to.equal(true);
    expect(matchesExtraSpec(60, '<= 50')).to.equal(false);
    expect(matchesExtraSpec(50, '== 50.0')).to.equal(true);
    expect(matchesExtraSpec(51, '== 50')).to.equal(false);
    expect(matchesExtraSpec(51, '!= 50')).to.equal(true);
    expect(matchesExtraSpec(60, '= 50')).to.equal(true);
    expect(matchesExtraSpec(40, '= 50')).to.equal(false);
  });

  it('fails a numeric comparison with something that is not a number', () => {
    expect(matchesExtraSpec('fast', '>= 50')).to.equal(false);
    expect(matchesExtraSpec(60, '>= many')).to.equal(false);
    expect(matchesExtraSpec(60, '>=')).to.equal(false);
  });

  it('matches substrings with <in> and alternatives with <or>', () => {
    expect(matchesExtraSpec('ssd,nvme', '<in> nvme')).to.equal(true);
    expect(matchesExtraSpec('hdd', '<in> nvme')).to.equal(false);
    expect(matchesExtraSpec('silver', '<or> gold <or> silver')).to.equal(true);
    expect(matchesExtraSpec('bronze', '<or> gold <or> silver')).to.equal(false);
  });

  it('compares strings with s== and s>=', () => {
    expect(matchesExtraSpec('abc', 's== abc')).to.equal(true);
    expect(matchesExtraSpec('b', 's>= a')).to.equal(true);
    expect(matchesExtraSpec('a', 's> b')).to.equal(false);
  });

  it('never matches a missing value', () => {
    expect(matchesExtraSpec(undefined, 'gold')).to.equal(false);
    expect(matchesExtraSpec(null, '<is> False')).to.equal(false);
  });
});
