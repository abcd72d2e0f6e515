import { expect } from 'chai';
import { backendLocation, type BackendState } from '../../../scheduler/backend-state.js';
import { defaultPolicy } from '../../../scheduler/policy.js';
import { selectBackend, type Selection } from '../../../scheduler/select-backend.js';
import { NOW, backend, request } from './backend-fixture.js';

const policy = defaultPolicy({ serviceDownTimeMs: 60_000, capacityWeightMultiplier: 1 }, () => NOW);

function chosen(selection: Selection): string {
  if (selection.kind !== 'selected') throw new Error(`nothing selected: ${selection.reason}`);
  return backendLocation(selection.backend);
}

function reason(selection: Selection): string {
  if (selection.kind !== 'none') throw new Error(`unexpectedly selected ${backendLocation(selection.backend)}`);
  return selection.reason;
}

describe('selectBackend', () => {
  const small = backend({ host: 'node@small', totalCapacityGb: 100, freeCapacityGb: 40 });
  const large = backend({ host: 'node@large', totalCapacityGb: 200, freeCapacityGb: 150 });

  it('picks the backend with the most free space', () => {
    expect(chosen(selectBackend([small, large], request(), policy))).to.equal('node@large#large');
  });

  it('stacks instead with a negative multiplier', () => {
    const stacking = defaultPolicy({ serviceDownTimeMs: 60_000, capacityWeightMultiplier: -1 }, () => NOW);
    expect(chosen(selectBackend([small, large], request(), stacking))).to.equal('node@small#small');
  });

  it('breaks ties by location, whatever the input order', () => {
    const a = backend({ host: 'node@a' });
    const b = backend({ host: 'node@b' });
    expect(chosen(selectBackend([b, a], request(), policy))).to.equal('node@a#a');
    expect(chosen(selectBackend([a, b], request(), policy))).to.equal('node@a#a');
  });

  it('prefers a thin backend by its virtual free space', () => {
    const thin = backend({ host: 'node@thin', freeCapacityGb: 20, thinProvisioningSupport: true, maxOverSubscriptionRatio: 20 });
    expect(chosen(selectBackend([large, thin], request(), policy))).to.equal('node@thin#thin');
  });

  it('never picks a backend that is down, disabled or already tried', () => {
    const down = backend({ host: 'node@down', freeCapacityGb: 1000, totalCapacityGb: 1000, heartbeatAt: new Date(NOW - 120_000) });
    const disabled = backend({ host: 'node@off', freeCapacityGb: 900, totalCapacityGb: 1000, disabled: true });
    const failed = backend({ host: 'node@failed', freeCapacityGb: 800, totalCapacityGb: 1000 });
    const states = [down, disabled, failed, small];
    expect(chosen(selectBackend(states, request({ excludedHosts: ['node@failed'] }), policy))).to.equal('node@small#small');
  });

  it('honours the zone and the volume type', () => {
    const zoned = backend({ host: 'node@az2', availabilityZone: 'az2', freeCapacityGb: 100 });
    expect(chosen(selectBackend([small, zoned], request({ availabilityZone: 'az2' }), policy))).to.equal('node@az2#az2');
    const spec = { volume_backend_name: 'small' };
    expect(chosen(selectBackend([small, large], request({ extraSpecs: spec }), policy))).to.equal('node@small#small');
  });

  it('explains which filter left no backend, naming the size and the zone', () => {
    const why = reason(selectBackend([small, large], request({ sizeGb: 500 }), policy));
    expect(why).to.include('500 GiB').and.include('availability zone nova').and.include('CapacityFilter');
    expect(why).to.include('2 candidate backends');
  });

  it('says so when no backend has reported at all', () => {
    expect(reason(selectBackend([] as BackendState[], request(), policy))).to.match(/No volume backend/);
  });
});
