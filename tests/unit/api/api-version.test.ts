import { expect } from 'chai';
import { VersionNotSupportedError } from '../../../common/errors.js';
import { ApiVersion, MAX_API_VERSION, negotiateVersion } from '../../../api/versions/api-version.js';
import { InvalidVersionStringError } from '../../../api/http/errors.js';

describe('api/versions negotiateVersion', () => {
  it('defaults to 3.0 without a header or without a volume entry', () => {
    expect(negotiateVersion(undefined).toString()).to.equal('3.0');
    expect(negotiateVersion('compute 2.1').toString()).to.equal('3.0');
  });

  it('reads the volume entry, case-insensitively, among other services', () => {
    expect(negotiateVersion('volume 3.27').toString()).to.equal('3.27');
    expect(negotiateVersion('compute 2.1, Volume 3.5').toString()).to.equal('3.5');
  });

  it('maps latest to the maximum', () => {
    expect(negotiateVersion('volume latest')).to.equal(MAX_API_VERSION);
  });

  it('refuses versions out of range with 406 and Cinder\'s message', () => {
    for (const v of ['3.71', '3.99', '2.0', '4.0']) {
      expect(() => negotiateVersion(`volume ${v}`), v).to.throw(VersionNotSupportedError);
    }
    expect(() => negotiateVersion('volume 3.99')).to.throw(
      'Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.70.',
    );
  });

  it('refuses unparsable versions with 400', () => {
    for (const v of ['volume 3', 'volume 3.x', 'volume', 'volume 03.1', 'volume 3.01']) {
      expect(() => negotiateVersion(v), v).to.throw(InvalidVersionStringError);
    }
  });

  it('compares numerically', () => {
    expect(ApiVersion.parse('3.10').atLeast(ApiVersion.parse('3.9'))).to.equal(true);
    expect(ApiVersion.parse('3.9').atLeast(ApiVersion.parse('3.10'))).to.equal(false);
  });
});
