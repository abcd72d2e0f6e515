import { expect } from 'chai';
import { RepositoryAccessError, RepositoryError } from '../../../backup-worker/repositories/repository.js';
import {
  keystonePasswordAuthBody,
  parseKeystoneToken,
  renewalTime,
  type KeystoneAuth,
} from '../../../backup-worker/repositories/swift-session.js';

// Pure functions only, checked against the Identity v3 API reference's documented shapes: catalogs
// with several regions and interfaces, which the one-region Keystone of the integration tests
// (tests/integration/backup-worker/swift-repository.test.ts) cannot show.
const AUTH: KeystoneAuth = {
  version: '3',
  authUrl: 'http://keystone.example:5000/v3',
  username: 'backup',
  password: 's3cret-pw',
  userDomain: 'Default',
  project: 'floe',
  projectDomain: 'Default',
};

const endpoint = (iface: string, region: string, url: string) => ({ id: `${iface}-${region}`, interface: iface, region, region_id: region, url });
const TOKEN_BODY = {
  token: {
    methods: ['password'],
    expires_at: '2030-01-02T03:04:05.000000Z',
    project: { id: 'p1', name: 'floe', domain: { id: 'default', name: 'Default' } },
    catalog: [
      { type: 'identity', name: 'keystone', endpoints: [endpoint('public', 'RegionOne', 'http://keystone.example:5000/v3')] },
      {
        type: 'object-store',
        name: 'swift',
        endpoints: [
          endpoint('admin', 'RegionOne', 'http://swift-one.example:8080'),
          endpoint('public', 'RegionOne', 'https://swift-one.example/v1/AUTH_p1'),
          endpoint('internal', 'RegionOne', 'http://10.0.0.1:8080/v1/AUTH_p1'),
          endpoint('public', 'RegionTwo', 'https://swift-two.example/v1/AUTH_p1'),
        ],
      },
    ],
  },
};

describe('Swift Keystone v3 pure functions', () => {
  it('keystonePasswordAuthBody: password identity scoped to a project, domains by name', () => {
    expect(keystonePasswordAuthBody(AUTH)).to.deep.equal({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'backup', domain: { name: 'Default' }, password: 's3cret-pw' } },
        },
        scope: { project: { name: 'floe', domain: { name: 'Default' } } },
      },
    });
  });

  it('parseKeystoneToken: the first public object-store endpoint and the expiry by default', () => {
    expect(parseKeystoneToken(TOKEN_BODY, AUTH)).to.deep.equal({
      storageUrl: 'https://swift-one.example/v1/AUTH_p1',
      expiresAtMs: Date.UTC(2030, 0, 2, 3, 4, 5),
    });
  });

  it('parseKeystoneToken: honours the interface and region asked for', () => {
    expect(parseKeystoneToken(TOKEN_BODY, { ...AUTH, interface: 'internal' }).storageUrl).to.equal('http://10.0.0.1:8080/v1/AUTH_p1');
    expect(parseKeystoneToken(TOKEN_BODY, { ...AUTH, region: 'RegionTwo' }).storageUrl).to.equal('https://swift-two.example/v1/AUTH_p1');
    const onlyLegacyRegion = { token: { catalog: [{ type: 'object-store', endpoints: [{ interface: 'public', region: 'Old', url: 'http://old/v1/A' }] }] } };
    expect(parseKeystoneToken(onlyLegacyRegion, { ...AUTH, region: 'Old' })).to.deep.equal({ storageUrl: 'http://old/v1/A', expiresAtMs: undefined });
  });

  it('parseKeystoneToken: no matching endpoint is an access error naming the place, without the password', () => {
    for (const auth of [{ ...AUTH, region: 'RegionThree' }, { ...AUTH, interface: 'admin' as const, region: 'RegionTwo' }]) {
      const err = (() => {
        try {
          parseKeystoneToken(TOKEN_BODY, auth);
        } catch (e) {
          return e;
        }
      })();
      expect(err).to.be.instanceOf(RepositoryAccessError);
      expect((err as Error).message).to.include(AUTH.authUrl).and.include('object-store').and.not.include(AUTH.password);
    }
  });

  it('parseKeystoneToken: a body that is not a v3 token is a repository error', () => {
    expect(() => parseKeystoneToken({ access: { serviceCatalog: [] } }, AUTH)).to.throw(RepositoryError, /not a Keystone v3 token/);
  });

  it('renewalTime: a minute before expiry, or half-way through a short-lived token', () => {
    expect(renewalTime(0, 86_400_000)).to.equal(86_340_000);
    expect(renewalTime(1_000, 11_000)).to.equal(6_000);
  });
});
