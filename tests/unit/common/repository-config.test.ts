import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../common/config.js';
import { parseBandwidth, parseByteSize } from '../../../common/repository-config.js';

const sftp = { name: 'offsite', type: 'sftp', host: 'backup.example', user: 'floe', path: '/srv/floe', hostKey: 'backup.example ssh-ed25519 AAAA', privateKeyFile: '/etc/floe/id' };
const s3 = { name: 'cloud', type: 's3', bucket: 'b', accessKeyId: 'AK', secretAccessKey: { env: 'S3_SECRET' } };

function load(repositories: unknown, extra: Record<string, string> = {}) {
  return loadConfig({ FLOE_DATA_DIR: '/var/lib/floe', FLOE_BACKUP_REPOSITORIES: JSON.stringify(repositories), ...extra }).backup;
}

describe('Backup repository configuration', () => {
  it('keeps one local `default` repository without FLOE_BACKUP_REPOSITORIES, under a generated key', () => {
    const backup = loadConfig({ FLOE_DATA_DIR: '/var/lib/floe' }).backup;
    expect(backup.defaultRepository).to.equal('default');
    expect(backup.repositories).to.have.length(1);
    expect(backup.repositories[0]).to.deep.include({ name: 'default', type: 'local', compression: 'zstd' });
    expect(backup.repositories[0].encryption).to.deep.equal({ kind: 'key-file', file: '/var/lib/floe/backup.key', generate: true });
  });

  it('parses named repositories of every type, the first being the default, with per-repository key files', () => {
    const swift = { name: 'swift1', type: 'swift', authUrl: 'http://keystone:5000/v3', authVersion: '3', user: 'floe', key: { file: '/etc/floe/swift' }, project: 'backups', container: 'floe' };
    const backup = load([{ ...sftp, replicateTo: ['cloud'], bandwidthLimit: '20M' }, s3, swift, { name: 'plain', type: 'local', path: '/backups', encryption: 'none' }]);
    expect(backup.defaultRepository).to.equal('offsite');
    expect(backup.repositories.map((r) => r.type)).to.deep.equal(['sftp', 's3', 'swift', 'local']);
    expect(backup.repositories[0]).to.deep.include({ bandwidthBytesPerSec: 20 * 1024 * 1024, replicateTo: ['cloud'] });
    expect(backup.repositories[0].params).to.include({ port: 22 });
    expect(backup.repositories[1].encryption).to.deep.equal({ kind: 'key-file', file: '/var/lib/floe/keys/cloud.key', generate: true });
    expect(backup.repositories[3].encryption).to.deep.equal({ kind: 'none' });
  });

  it('creates SFTP repositories with 8 MiB packs and the others with the engine default, unless packSize says otherwise', () => {
    const backup = load([sftp, s3, { ...s3, name: 'big-packs', packSize: '32M' }, { ...sftp, name: 'sftp-16', packSize: 16 * 1024 * 1024 }]);
    expect(backup.repositories.map((r) => r.packSizeBytes)).to.deep.equal([8 * 1024 * 1024, undefined, 32 * 1024 * 1024, 16 * 1024 * 1024]);
  });

  it('takes FLOE_BACKUP_DEFAULT_REPOSITORY', () => {
    expect(load([sftp, s3], { FLOE_BACKUP_DEFAULT_REPOSITORY: 'cloud' }).defaultRepository).to.equal('cloud');
  });

  const refusals: Array<[string, unknown, Record<string, string>, RegExp]> = [
    ['a literal secret', [{ ...s3, secretAccessKey: 'plain-text' }], {}, /secretAccessKey/],
    ['an unknown type', [{ ...sftp, type: 'ftp' }], {}, /type/],
    ['a duplicate name', [sftp, sftp], {}, /used twice/],
    ['replication to an unknown repository', [{ ...sftp, replicateTo: ['nowhere'] }], {}, /replicates to nowhere/],
    ['replication to itself', [{ ...sftp, replicateTo: ['offsite'] }], {}, /itself/],
    ['an unknown default', [sftp], { FLOE_BACKUP_DEFAULT_REPOSITORY: 'cloud' }, /FLOE_BACKUP_DEFAULT_REPOSITORY/],
    ['a bad bandwidth', [{ ...sftp, bandwidthLimit: 'fast' }], {}, /bandwidth limit "fast"/],
    ['an unknown field (typo)', [{ ...sftp, hostkey: 'x' }], {}, /hostkey/],
    ['a pack size below 1M', [{ ...s3, packSize: '512K' }], {}, /pack size "512K" is not a size between 1M and 64M/],
    ['a pack size above 64M', [{ ...s3, packSize: '1G' }], {}, /pack size "1G"/],
    ['a pack size that is not a size', [{ ...sftp, packSize: 'big' }], {}, /pack size "big"/],
    ['a timeout on a local repository', [{ name: 'plain', type: 'local', path: '/b', timeout: 5 }], {}, /timeout/],
    ['a timeout that is not a positive number of seconds', [{ ...s3, timeout: 0 }], {}, /timeout/],
  ];
  for (const [what, repositories, extra, message] of refusals) {
    it(`refuses ${what} with a message naming it`, () => {
      expect(() => load(repositories, extra)).to.throw(ConfigError, message);
    });
  }

  it('refuses FLOE_BACKUP_REPOSITORY together with FLOE_BACKUP_REPOSITORIES', () => {
    expect(() => load([sftp], { FLOE_BACKUP_REPOSITORY: '/x' })).to.throw(ConfigError, /cannot both be set/);
  });

  it('reads bandwidth limits with K/M/G suffixes', () => {
    expect(parseBandwidth('500K')).to.equal(500 * 1024);
    expect(parseBandwidth('1.5G')).to.equal(1.5 * 1024 ** 3);
    expect(parseBandwidth('20MB/s')).to.equal(20 * 1024 ** 2);
    expect(parseBandwidth('1000')).to.equal(1000);
    expect(() => parseBandwidth('0')).to.throw(ConfigError);
    expect(parseByteSize('64M', 'partSize')).to.equal(64 * 1024 ** 2);
    expect(() => parseByteSize('big', 'the partSize of an s3 repository')).to.throw(ConfigError, /partSize of an s3 repository "big"/);
  });
});
