import { expect } from 'chai';
import { BackendStateView } from '../../../scheduler/backend-state-view.js';
import { capabilityReportSchema, type CapabilityReport } from '../../../scheduler/capability-report.js';
import { defaultPolicy } from '../../../scheduler/policy.js';
import { NOW, request } from './backend-fixture.js';

function report(name: string, totalGb: number, overrides: Record<string, unknown> = {}): CapabilityReport {
  return capabilityReportSchema.parse({
    host: `node@${name}`,
    volume_backend_name: name,
    pool_name: name,
    availability_zone: 'nova',
    total_capacity_gb: totalGb,
    free_capacity_gb: totalGb,
    provisioned_capacity_gb: 0,
    allocated_capacity_gb: 0,
    reserved_percentage: 0,
    thin_provisioning_support: false,
    thick_provisioning_support: true,
    max_over_subscription_ratio: 1,
    timestamp: new Date(NOW - 1000).toISOString(),
    ...overrides,
  });
}

const policy = defaultPolicy({ serviceDownTimeMs: 60_000, capacityWeightMultiplier: 1 }, () => NOW);

/** Places `count` volumes, each committed (settled) at once unless `settle` is false. */
function placeVolumes(view: BackendStateView, count: number, sizeGb: number, settle = true): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const selection = view.select(request({ sizeGb }), policy);
    if (selection.kind !== 'selected') throw new Error(selection.reason);
    if (settle) view.settle(selection.backend.host);
    counts[selection.backend.pool] = (counts[selection.backend.pool] ?? 0) + 1;
  }
  return counts;
}

/** A view whose clock reads `clock.now` (ms). */
function viewAt(clock: { now: number }): BackendStateView {
  return new BackendStateView(() => new Date(clock.now));
}

describe('BackendStateView', () => {
  it('spreads a burst by consuming each placement at once: 20 × 10 GiB over 100 and 200 GiB', () => {
    const view = new BackendStateView();
    view.apply(report('small', 100));
    view.apply(report('large', 200));
    // 'large' takes volumes until its free space equals 'small', then they alternate.
    expect(placeVolumes(view, 20, 10)).to.deep.equal({ large: 15, small: 5 });
    expect(view.get('node@large')).to.include({ freeCapacityGb: 50, provisionedCapacityGb: 150, allocatedCapacityGb: 150 });
    expect(view.get('node@small')).to.include({ freeCapacityGb: 50, provisionedCapacityGb: 50 });
  });

  it('weighs thin backends by virtual free space and leaves their free space to the next report', () => {
    const view = new BackendStateView();
    view.apply(report('a', 100, { thin_provisioning_support: true, max_over_subscription_ratio: 4 }));
    view.apply(report('b', 200, { thin_provisioning_support: true, max_over_subscription_ratio: 1 }));
    // Virtual free space 400 against 200: 'a' wins until 200 GB are provisioned there.
    expect(placeVolumes(view, 19, 10)).to.deep.equal({ a: 19 });
    expect(view.get('node@a')?.provisionedCapacityGb).to.equal(190);
    expect(view.get('node@a')?.freeCapacityGb).to.equal(100);
  });

  it('lets a report measured after the last placement replace what was consumed locally, and ignores an older one', () => {
    const clock = { now: NOW - 800 };
    const view = viewAt(clock);
    view.apply(report('b1', 100));
    placeVolumes(view, 3, 10);
    expect(view.get('node@b1')?.freeCapacityGb).to.equal(70);
    view.apply(report('b1', 100, { free_capacity_gb: 90, timestamp: new Date(NOW - 2000).toISOString() }));
    expect(view.get('node@b1')?.freeCapacityGb).to.equal(70);
    view.apply(report('b1', 100, { free_capacity_gb: 75, timestamp: new Date(NOW - 500).toISOString() }));
    expect(view.get('node@b1')?.freeCapacityGb).to.equal(75);
  });

  it('keeps a placement that a report measured before it was committed cannot have counted', () => {
    const clock = { now: NOW - 900 };
    const view = viewAt(clock);
    view.apply(report('b1', 100));
    placeVolumes(view, 2, 10, false);
    // Measured while both placements were in flight: the worker may not see them in the database.
    view.apply(report('b1', 100, { free_capacity_gb: 95, timestamp: new Date(NOW - 850).toISOString() }));
    expect(view.get('node@b1')?.freeCapacityGb).to.equal(80);
    view.settle('node@b1');
    view.settle('node@b1');
    // Committed at NOW - 900; a measure that began before then is as stale as one during the burst.
    view.apply(report('b1', 100, { free_capacity_gb: 95, timestamp: new Date(NOW - 950).toISOString() }));
    expect(view.get('node@b1')?.freeCapacityGb).to.equal(80);
    view.apply(report('b1', 100, { free_capacity_gb: 78, timestamp: new Date(NOW - 700).toISOString() }));
    expect(view.get('node@b1')?.freeCapacityGb).to.equal(78);
    // Liveness is taken from every report, stale capacities or not.
    expect(view.get('node@b1')?.heartbeatAt.getTime()).to.equal(NOW - 700);
  });

  it('takes liveness from the services row and keeps the latest heartbeat', () => {
    const view = new BackendStateView();
    view.apply(report('b1', 100), { heartbeatAt: new Date(NOW - 90_000), disabled: true });
    expect(view.get('node@b1')).to.include({ disabled: true });
    expect(view.select(request(), policy).kind).to.equal('none');
    view.apply(report('b1', 100), { heartbeatAt: new Date(NOW - 200_000), disabled: false });
    expect(view.get('node@b1')?.heartbeatAt.getTime()).to.equal(NOW - 90_000);
    view.apply(report('b1', 100, { timestamp: new Date(NOW - 100).toISOString() }));
    expect(view.get('node@b1')?.heartbeatAt.getTime()).to.equal(NOW - 100);
    expect(view.select(request(), policy).kind).to.equal('selected');
  });

  it('rejects a report without the capacities it needs', () => {
    expect(capabilityReportSchema.safeParse({ host: 'node@x', timestamp: new Date().toISOString() }).success).to.equal(false);
  });
});
