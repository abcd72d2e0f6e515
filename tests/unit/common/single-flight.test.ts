import { expect } from 'chai';
import { SingleFlight } from '../../../common/single-flight.js';

describe('SingleFlight', () => {
  it('shares one run among the callers that arrive while it runs', async () => {
    const flight = new SingleFlight<number>();
    let starts = 0;
    let finish!: (value: number) => void;
    const start = () => {
      starts += 1;
      return new Promise<number>((resolve) => (finish = resolve));
    };
    const first = flight.run(start);
    const second = flight.run(start);
    finish(7);
    expect(await Promise.all([first, second])).to.deep.equal([7, 7]);
    expect(starts).to.equal(1);
  });

  it('starts a new run once the last one has settled, failed or not', async () => {
    const flight = new SingleFlight<string>();
    await flight.run(() => Promise.reject(new Error('down'))).catch((err: Error) => expect(err.message).to.equal('down'));
    expect(await flight.run(() => Promise.resolve('up'))).to.equal('up');
    expect(await flight.run(() => Promise.resolve('again'))).to.equal('again');
  });
});
