import { expect } from 'chai';
import {
  RESETTABLE_VOLUME_STATUSES,
  TRANSITIONAL_VOLUME_STATUSES,
  VOLUME_TRANSITIONS,
  isVolumeStatus,
} from '../../../common/status.js';
import { FAILED_STATUS } from '../../../common/volume-failure.js';

describe('volume status machine', () => {
  it('names only real statuses in its transitions', () => {
    for (const [name, { from, to }] of Object.entries(VOLUME_TRANSITIONS)) {
      for (const status of [...from, to]) expect(isVolumeStatus(status), `${name}: ${status}`).to.equal(true);
    }
  });

  it('never lets a deleted volume move, nor an admin reset a volume to deleted', () => {
    for (const { from } of Object.values(VOLUME_TRANSITIONS)) expect(from).to.not.include('deleted');
    expect(RESETTABLE_VOLUME_STATUSES).to.not.include('deleted');
  });

  it('only deletes volumes that no operation is working on', () => {
    for (const status of VOLUME_TRANSITIONS.delete.from) {
      expect(TRANSITIONAL_VOLUME_STATUSES, status).to.not.include(status);
    }
  });

  it('has an error status for every transitional status an operation of this release can fail in', () => {
    for (const status of ['creating', 'extending', 'deleting'] as const) {
      expect(FAILED_STATUS[status], status).to.be.a('string');
      expect(isVolumeStatus(FAILED_STATUS[status] ?? '')).to.equal(true);
    }
  });

  it('rejects strings that are not statuses', () => {
    expect(isVolumeStatus('available')).to.equal(true);
    expect(isVolumeStatus('AVAILABLE')).to.equal(false);
    expect(isVolumeStatus('')).to.equal(false);
  });
});
