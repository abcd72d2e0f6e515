import Mocha from 'mocha';

/**
 * Mocha's spec reporter plus one plain closing line, `N passed, N failed[, N skipped]`, which CI reads
 * to count the tests that ran.
 */
export default class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
      const skipped = pending > 0 ? `, ${pending} skipped` : '';
      process.stdout.write(`\nmocha: ${passes} passed, ${failures} failed${skipped}\n`);
    });
  }
}
