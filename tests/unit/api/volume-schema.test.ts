import { expect } from 'chai';
import { InvalidInputError } from '../../../common/errors.js';
import { parseCreateVolume, parseExtend, parseResetStatus, parseUpdateVolume } from '../../../api/volumes/schema.js';
import { bodyElement } from '../../../api/http/validate.js';

const CLI_BODY = {
  size: 1, consistencygroup_id: null, snapshot_id: null, name: 'v1', description: null, volume_type: null,
  availability_zone: null, metadata: {}, imageRef: null, source_volid: null, backup_id: null,
};

describe('api/volumes schema', () => {
  it('accepts the cinder CLI create body with its nulls', () => {
    expect(parseCreateVolume(CLI_BODY)).to.deep.equal({
      size: 1, name: 'v1', description: null, volumeType: null, availabilityZone: null, metadata: {},
    });
  });

  it('accepts digit strings as sizes and legacy display_* names', () => {
    const input = parseCreateVolume({ size: '12', display_name: 'n', display_description: 'd' });
    expect(input).to.include({ size: 12, name: 'n', description: 'd' });
  });

  it('refuses bad sizes, long texts, bad metadata and unsupported sources', () => {
    const bad: unknown[] = [
      { size: 0 }, { size: '1.5' }, { size: ' 1' }, { size: 2 ** 31 }, { size: null }, {},
      { size: 1, name: 'x'.repeat(256) }, { size: 1, metadata: { k: 1 } }, { size: 1, metadata: { ['k'.repeat(256)]: 'v' } },
      { size: 1, snapshot_id: 'x' }, { size: 1, multiattach: true }, { size: 1, group_id: 'g' }, 'volume',
    ];
    for (const body of bad) expect(() => parseCreateVolume(body), JSON.stringify(body)).to.throw(InvalidInputError);
  });

  it('reports every problem with the field it concerns', () => {
    expect(() => parseCreateVolume({ size: 0, name: 7 })).to.throw(/size: size must be .*; name: name must be a string/);
  });

  it('parses updates with only the given keys', () => {
    expect(parseUpdateVolume({ display_name: 'n' })).to.deep.equal({ name: 'n' });
    expect(parseUpdateVolume({ description: null, metadata: { a: 'b' } })).to.deep.equal({ description: null, metadata: { a: 'b' } });
    expect(() => parseUpdateVolume({ size: 2 })).to.throw(InvalidInputError);
  });

  it('parses os-extend and os-reset_status arguments', () => {
    expect(parseExtend({ new_size: '3' })).to.equal(3);
    expect(() => parseExtend({ new_size: 0 })).to.throw(InvalidInputError);
    expect(parseResetStatus({})).to.deep.equal({ status: undefined, attach_status: undefined });
    expect(parseResetStatus({ status: 'AVAILABLE', migration_status: 'none' })).to.include({ status: 'available' });
    for (const bad of [{ status: 'deleted' }, { attach_status: 'half' }, { migration_status: 'migrating' }, { other: 1 }, null]) {
      expect(() => parseResetStatus(bad), JSON.stringify(bad)).to.throw(InvalidInputError);
    }
  });

  it('requires the top-level element', () => {
    expect(() => bodyElement({ size: 1 }, 'volume')).to.throw("Missing required element 'volume' in request body.");
    expect(() => bodyElement(undefined, 'volume')).to.throw(InvalidInputError);
    expect(bodyElement({ volume: 1 }, 'volume')).to.equal(1);
  });
});
