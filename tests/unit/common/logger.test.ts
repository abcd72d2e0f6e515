import { spawnSync } from 'node:child_process';
import { expect } from 'chai';

const LOGGER_URL = new URL('../../../common/logger.js', import.meta.url).href;

/** Runs `body` in a fresh Node process after importing the logger (JSON lines at level info). */
function runWithLogger(body: string): { stdout: string; stderr: string } {
  const script = `
    import { createRequire } from 'node:module';
    const { getLogger, configureLogging } = await import(${JSON.stringify(LOGGER_URL)});
    const winstonLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/winston/'));
    ${body}`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, FLOE_LOG_LEVEL: 'info', FLOE_LOG_FORMAT: 'json' },
  });
  expect(run.status, run.stderr).to.equal(0);
  return { stdout: run.stdout, stderr: run.stderr };
}

const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('logger', () => {
  it('loads winston only when the first line is written', () => {
    const { stdout } = runWithLogger(`
      const log = getLogger('probe');
      console.log(JSON.stringify({ winston: winstonLoaded() }));
      log.debug('below the level');
      console.log(JSON.stringify({ winston: winstonLoaded() }));`);
    expect(jsonLines(stdout)).to.deep.equal([{ winston: false }, { winston: true }]);
  });

  it('writes JSON lines tagged with the component, at the level set before or after the first line', () => {
    const { stderr } = runWithLogger(`
      const log = getLogger('probe');
      log.debug('hidden at info');
      log.info('shown', { volume_id: 'v1' });
      configureLogging('debug', 'json');
      log.debug('shown at debug');
      getLogger('other').warn('plain');`);
    const lines = jsonLines(stderr);
    expect(lines).to.have.length(3);
    expect(lines[0]).to.include({ component: 'probe', level: 'info', message: 'shown', volume_id: 'v1' });
    expect(lines[1]).to.include({ component: 'probe', level: 'debug', message: 'shown at debug' });
    expect(lines[2]).to.include({ component: 'other', level: 'warn', message: 'plain' });
    expect(lines[2]).to.have.property('timestamp');
  });
});
