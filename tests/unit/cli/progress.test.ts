import { expect } from 'chai';
import { LineProgress, usesSpinner } from '../../../cli/progress.js';
import { Capture } from './http-stub.js';

describe('cli progress', () => {
  it('spins only on a terminal of known width', () => {
    expect(usesSpinner({ write: () => true, isTTY: true, columns: 80 })).to.equal(true);
    expect(usesSpinner({ write: () => true, isTTY: true, columns: 0 })).to.equal(false);
    expect(usesSpinner({ write: () => true, isTTY: false, columns: 80 })).to.equal(false);
    expect(usesSpinner(new Capture())).to.equal(false);
  });

  it('prints one line per change when not on a terminal', () => {
    const out = new Capture();
    const progress = new LineProgress(out);
    progress.update('creating');
    progress.update('creating');
    progress.update('still creating');
    progress.succeed('available');
    expect(out.text).to.equal('creating\nstill creating\navailable\n');
  });
});
