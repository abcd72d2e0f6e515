import { expect } from 'chai';
import { CommanderError } from 'commander';
import { NotFoundError } from '../../../common/errors.js';
import { ENVIRONMENT_HELP } from '../../../cli/connection.js';
import {
  AmbiguousNameError,
  ApiError,
  BatchError,
  EndpointUnreachableError,
  NoMatchError,
  UsageError,
  VolumeErrorStatusError,
  WaitTimeoutError,
  formatError,
} from '../../../cli/errors.js';
import { BackupFailedError, BackupWaitTimeoutError } from '../../../cli/backup-wait.js';
import { EXIT_CODES, EXIT_CODE_MEANINGS, exitCodeFor } from '../../../cli/exit-codes.js';
import { runCli } from '../../../cli/program.js';
import { testIo } from './http-stub.js';

describe('cli errors and exit codes', () => {
  describe('formatError', () => {
    it('shows an API error with its HTTP status and request id', () => {
      const err = new ApiError(400, 'New size must be greater.', { requestId: 'req-1' });
      expect(formatError(err)).to.equal('floe: New size must be greater. (HTTP 400, request req-1)');
    });

    it('leaves out a missing request id', () => {
      expect(formatError(new ApiError(500, 'boom'))).to.equal('floe: boom (HTTP 500)');
    });

    it('names the item of a multi-item command', () => {
      expect(formatError(new NoMatchError('volume', 'v9'), 'volume v9')).to.equal(
        "floe: volume v9: No volume with a name or ID of 'v9' exists.",
      );
    });

    it('says which endpoint cannot be reached', () => {
      const text = formatError(new EndpointUnreachableError('http://h:8776', 'connection refused'));
      expect(text).to.match(/^floe: cannot reach the Floe API at http:\/\/h:8776 \(connection refused\)/);
    });

    it('prints anything thrown', () => {
      expect(formatError('odd')).to.equal('floe: odd');
    });
  });

  describe('exitCodeFor', () => {
    const cases: [string, unknown, number][] = [
      ['an API refusal', new ApiError(400, 'bad'), EXIT_CODES.failed],
      ['an API 404', new ApiError(404, 'gone'), EXIT_CODES.notFound],
      ['a name without match', new NoMatchError('volume', 'x'), EXIT_CODES.notFound],
      ['a shared FloeError 404', new NotFoundError('Volume', 'x'), EXIT_CODES.notFound],
      ['an ambiguous name', new AmbiguousNameError('volume', 'x', 2), EXIT_CODES.failed],
      ['an error status', new VolumeErrorStatusError('x', 'error', 'why'), EXIT_CODES.errorStatus],
      ['an unreachable endpoint', new EndpointUnreachableError('http://h', 'refused'), EXIT_CODES.unreachable],
      ['a wait timeout', new WaitTimeoutError('x', 1, 'creating'), EXIT_CODES.waitTimeout],
      ['a backup wait timeout', new BackupWaitTimeoutError('x', 1, 'creating'), EXIT_CODES.waitTimeout],
      ['a failed backup', new BackupFailedError('x', 'verify', 'damaged'), EXIT_CODES.failed],
      ['our usage error', new UsageError('no'), EXIT_CODES.usage],
      ['a commander error', new CommanderError(1, 'commander.unknownOption', 'x'), EXIT_CODES.usage],
      ['commander help', new CommanderError(0, 'commander.helpDisplayed', ''), EXIT_CODES.ok],
      ['a batch, by its first failure', new BatchError('1 of 2', [new NoMatchError('volume', 'x')]), EXIT_CODES.notFound],
      ['anything else', new TypeError('bug'), EXIT_CODES.failed],
    ];
    for (const [name, err, code] of cases) {
      it(`maps ${name} to ${code}`, () => {
        expect(exitCodeFor(err)).to.equal(code);
      });
    }
  });

  it('documents every exit code and the environment in floe --help', async () => {
    const io = testIo({});
    expect(await runCli(['--help'], io)).to.equal(EXIT_CODES.ok);
    for (const code of Object.values(EXIT_CODES)) {
      expect(io.stdout.text).to.contain(`  ${code}  ${EXIT_CODE_MEANINGS[code]}`);
    }
    expect(io.stdout.text).to.contain(ENVIRONMENT_HELP);
    for (const variable of ['FLOE_ENDPOINT', 'FLOE_PROJECT', 'FLOE_USER', 'OS_PROJECT_ID', 'OS_USER_ID']) {
      expect(io.stdout.text).to.contain(variable);
    }
  });
});
