import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import { collectMetadata, parsePositiveInteger, parseSeconds, parseWholeNumber } from '../../../cli/arguments.js';
import { createRequest, updateRequest } from '../../../cli/commands/volume.js';
import { DEFAULT_ENDPOINT, resolveConnection } from '../../../cli/connection.js';
import { UsageError } from '../../../cli/errors.js';
import { EXIT_CODES } from '../../../cli/exit-codes.js';
import { runCli } from '../../../cli/program.js';
import type { Volume } from '../../../cli/types.js';
import { testIo, volumeFixture } from './http-stub.js';

describe('cli arguments', () => {
  describe('metadata', () => {
    it('collects repeated key=value items', () => {
      const first = collectMetadata('a=1');
      expect(collectMetadata('b=x=y', first)).to.deep.equal({ a: '1', b: 'x=y' });
    });

    it('allows an empty value and overrides a repeated key', () => {
      expect(collectMetadata('a=', { a: 'old' })).to.deep.equal({ a: '' });
    });

    for (const bad of ['novalue', '=v', ' =v']) {
      it(`rejects '${bad}'`, () => {
        expect(() => collectMetadata(bad)).to.throw(InvalidArgumentError, 'expected key=value');
      });
    }
  });

  it('parses sizes as whole numbers and leaves their range to the API', () => {
    expect(parseWholeNumber('10')).to.equal(10);
    expect(parseWholeNumber('0')).to.equal(0);
    for (const bad of ['-1', '1.5', 'abc', '', '1e3']) expect(() => parseWholeNumber(bad), bad).to.throw(InvalidArgumentError);
  });

  it('parses --limit as a whole number of 1 or more', () => {
    expect(parsePositiveInteger('3')).to.equal(3);
    for (const bad of ['0', '-1', 'x']) expect(() => parsePositiveInteger(bad), bad).to.throw(InvalidArgumentError);
  });

  it('parses --timeout seconds', () => {
    expect(parseSeconds('0.5')).to.equal(0.5);
    for (const bad of ['0', '-3', 'soon', '']) expect(() => parseSeconds(bad), bad).to.throw(InvalidArgumentError);
  });

  describe('connection', () => {
    it('prefers flags, then FLOE_*, then OS_*, then the defaults', () => {
      const env = { FLOE_PROJECT: 'fp', OS_PROJECT_ID: 'op', OS_USER_ID: 'ou', FLOE_ENDPOINT: 'http://h:1/' };
      expect(resolveConnection({}, env)).to.deep.equal({ endpoint: 'http://h:1', project: 'fp', user: 'ou' });
      expect(resolveConnection({ project: 'flag', user: 'u', endpoint: 'https://e' }, env)).to.deep.equal({
        endpoint: 'https://e',
        project: 'flag',
        user: 'u',
      });
      expect(resolveConnection({}, {})).to.deep.equal({ endpoint: DEFAULT_ENDPOINT, project: 'demo', user: 'demo' });
    });

    it('rejects an endpoint that is not an http URL', () => {
      expect(() => resolveConnection({ endpoint: 'localhost:8776' }, {})).to.throw(UsageError, 'http');
      expect(() => resolveConnection({ endpoint: 'not a url' }, {})).to.throw(UsageError, 'not a URL');
    });
  });

  describe('request bodies', () => {
    it('sends only the create fields given', () => {
      expect(createRequest(2, {})).to.deep.equal({ size: 2, metadata: {} });
      expect(createRequest(1, { name: 'n', availabilityZone: 'z', type: 't', metadata: { k: 'v' } })).to.deep.equal({
        size: 1,
        name: 'n',
        availability_zone: 'z',
        volume_type: 't',
        metadata: { k: 'v' },
      });
    });

    it('merges new metadata items into the current ones', () => {
      const current = volumeFixture({ metadata: { a: '1', b: '2' } }) as unknown as Volume;
      expect(updateRequest(current, { metadata: { b: '3' } })).to.deep.equal({ metadata: { a: '1', b: '3' } });
      expect(updateRequest(current, { name: 'x' })).to.deep.equal({ name: 'x' });
    });
  });

  describe('usage errors exit 2 before any request', () => {
    const cases: string[][] = [
      ['volume', 'create', 'abc'],
      ['volume', 'create', '1', '--metadata', 'nokey'],
      ['volume', 'extend', 'v'],
      ['volume', 'frobnicate'],
      ['volume', 'list', '--bogus'],
      ['volume', 'list', '--limit', '0'],
      ['--timeout', 'never', 'volume', 'list'],
      ['volume'],
      ['volume', 'update', 'v'],
      ['--endpoint', 'ftp://x', 'volume', 'list'],
    ];
    for (const args of cases) {
      it(args.join(' '), async () => {
        const io = testIo({ FLOE_ENDPOINT: 'http://127.0.0.1:9' });
        expect(await runCli(args, io)).to.equal(EXIT_CODES.usage);
        expect(io.stderr.text).to.not.equal('');
        expect(io.stdout.text).to.equal('');
      });
    }
  });

  it('accepts global options after the subcommand', async () => {
    const io = testIo({});
    expect(await runCli(['volume', 'list', '--json', '--endpoint', 'bad'], io)).to.equal(EXIT_CODES.usage);
    expect(io.stderr.text).to.contain("the endpoint 'bad' is not a URL");
  });
});
