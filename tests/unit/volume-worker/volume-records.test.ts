import { expect } from 'chai';
import type { VolumeRow } from '../../../common/db/schema.js';
import { getLogger } from '../../../common/logger.js';
import { isOwnedBy, isReadyFor } from '../../../volume-worker/volume-records.js';
import type { WorkerRuntime } from '../../../volume-worker/worker-runtime.js';

const rt = { backendHost: 'node1@fast', log: getLogger('test') } as WorkerRuntime;

function volume(overrides: Partial<VolumeRow>): VolumeRow {
  return { id: '00000000-0000-4000-8000-000000000001', status: 'creating', host: 'node1@fast#fast', ...overrides } as VolumeRow;
}

describe('volume worker status guards', () => {
  it('owns the volumes whose host is this backend, whatever the pool', () => {
    expect(isOwnedBy('node1@fast#fast', 'node1@fast')).to.equal(true);
    expect(isOwnedBy('node1@fast', 'node1@fast')).to.equal(true);
    expect(isOwnedBy('node1@fast2#fast2', 'node1@fast')).to.equal(false);
    expect(isOwnedBy('node10@fast#fast', 'node1@fast')).to.equal(false);
    expect(isOwnedBy(null, 'node1@fast')).to.equal(false);
  });

  it('accepts a request only for an owned volume in the expected status', () => {
    expect(isReadyFor(rt, volume({}), 'creating')).to.equal(true);
    expect(isReadyFor(rt, volume({ status: 'available' }), 'creating')).to.equal(false);
    expect(isReadyFor(rt, volume({ host: 'node2@fast#fast' }), 'creating')).to.equal(false);
    expect(isReadyFor(rt, volume({ host: null }), 'creating')).to.equal(false);
    expect(isReadyFor(rt, undefined, 'deleting')).to.equal(false);
  });
});
