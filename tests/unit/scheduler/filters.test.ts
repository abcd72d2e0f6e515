import { expect } from 'chai';
import { availabilityZoneFilter } from '../../../scheduler/filters/availability-zone-filter.js';
import { capabilitiesFilter } from '../../../scheduler/filters/capabilities-filter.js';
import { capacityFilter } from '../../../scheduler/filters/capacity-filter.js';
import { retryFilter } from '../../../scheduler/filters/retry-filter.js';
import { serviceStateFilter } from '../../../scheduler/filters/service-state-filter.js';
import { NOW, backend, request } from './backend-fixture.js';

describe('scheduler filters', () => {
  describe('CapacityFilter, thick', () => {
    it('passes when free minus reserved holds the volume', () => {
      expect(capacityFilter.passes(backend({ freeCapacityGb: 10 }), request({ sizeGb: 10 }))).to.equal(true);
      expect(capacityFilter.passes(backend({ freeCapacityGb: 9 }), request({ sizeGb: 10 }))).to.equal(false);
    });

    it('reserves a percentage of the total, rounded down', () => {
      const b = backend({ totalCapacityGb: 100, freeCapacityGb: 15, reservedPercentage: 10 });
      expect(capacityFilter.passes(b, request({ sizeGb: 5 }))).to.equal(true);
      expect(capacityFilter.passes(b, request({ sizeGb: 6 }))).to.equal(false);
      const odd = backend({ totalCapacityGb: 99, freeCapacityGb: 19, reservedPercentage: 10 });
      expect(capacityFilter.passes(odd, request({ sizeGb: 10 }))).to.equal(true);
    });

    it('ignores the over-subscription ratio', () => {
      const b = backend({ freeCapacityGb: 5, maxOverSubscriptionRatio: 20 });
      expect(capacityFilter.passes(b, request({ sizeGb: 10 }))).to.equal(false);
    });
  });

  describe('CapacityFilter, thin', () => {
    const thin = { thinProvisioningSupport: true, maxOverSubscriptionRatio: 20 };

    it('caps provisioned + size at total × ratio', () => {
      const b = backend({ ...thin, provisionedCapacityGb: 1990, freeCapacityGb: 90 });
      expect(capacityFilter.passes(b, request({ sizeGb: 10 }))).to.equal(true);
      expect(capacityFilter.passes(b, request({ sizeGb: 11 }))).to.equal(false);
    });

    it('needs (free − reserved) × ratio for the volume, not the whole volume in free space', () => {
      const b = { ...thin, totalCapacityGb: 50, reservedPercentage: 10 };
      expect(capacityFilter.passes(backend({ ...b, freeCapacityGb: 15 }), request({ sizeGb: 10 }))).to.equal(true);
      expect(capacityFilter.passes(backend({ ...b, freeCapacityGb: 6 }), request({ sizeGb: 20 }))).to.equal(true);
      expect(capacityFilter.passes(backend({ ...b, freeCapacityGb: 6 }), request({ sizeGb: 21 }))).to.equal(false);
      expect(capacityFilter.passes(backend({ ...b, freeCapacityGb: 5 }), request({ sizeGb: 1 }))).to.equal(false);
      expect(capacityFilter.passes(backend({ ...b, freeCapacityGb: 50 }), request({ sizeGb: 500 }))).to.equal(true);
      expect(capacityFilter.passes(backend({ ...b, freeCapacityGb: 50 }), request({ sizeGb: 1001 }))).to.equal(false);
    });

    it('uses the thick rule when the volume type asks for thick provisioning', () => {
      const b = backend({ ...thin, freeCapacityGb: 50, provisionedCapacityGb: 2000 });
      expect(capacityFilter.passes(b, request({ sizeGb: 10 }))).to.equal(false);
      const thick = { 'provisioning:type': 'thick' };
      expect(capacityFilter.passes(b, request({ sizeGb: 10, extraSpecs: thick }))).to.equal(true);
    });

    it('rejects a thin backend whose ratio is below 1', () => {
      const b = backend({ thinProvisioningSupport: true, maxOverSubscriptionRatio: 0.5 });
      expect(capacityFilter.passes(b, request({ sizeGb: 1 }))).to.equal(false);
    });
  });

  describe('CapacityFilter, unmeasured capacities', () => {
    it('passes infinite or unknown free space', () => {
      expect(capacityFilter.passes(backend({ freeCapacityGb: 'infinite' }), request({ sizeGb: 1e6 }))).to.equal(true);
      expect(capacityFilter.passes(backend({ freeCapacityGb: 'unknown' }), request({ sizeGb: 1e6 }))).to.equal(true);
    });

    it('passes an unknown total only when nothing is reserved', () => {
      expect(capacityFilter.passes(backend({ totalCapacityGb: 'unknown' }), request())).to.equal(true);
      expect(capacityFilter.passes(backend({ totalCapacityGb: 'unknown', reservedPercentage: 5 }), request())).to.equal(false);
    });

    it('rejects a backend with no total capacity', () => {
      expect(capacityFilter.passes(backend({ totalCapacityGb: 0, freeCapacityGb: 10 }), request({ sizeGb: 1 }))).to.equal(false);
    });
  });

  describe('AvailabilityZoneFilter', () => {
    it('keeps the backends of the requested zone', () => {
      expect(availabilityZoneFilter.passes(backend({ availabilityZone: 'nova' }), request({ availabilityZone: 'nova' }))).to.equal(true);
      expect(availabilityZoneFilter.passes(backend({ availabilityZone: 'az2' }), request({ availabilityZone: 'nova' }))).to.equal(false);
    });

    it('keeps every backend when no zone is asked for', () => {
      expect(availabilityZoneFilter.passes(backend({ availabilityZone: 'az2' }), request({ availabilityZone: undefined }))).to.equal(true);
    });
  });

  describe('CapabilitiesFilter', () => {
    const caps = { volume_backend_name: 'gold', compression: true, iops: 5000, tiers: ['ssd', 'nvme'], qos: { level: 'high' } };
    const b = backend({ capabilities: caps });
    const passes = (extraSpecs: Record<string, string>) => capabilitiesFilter.passes(b, request({ extraSpecs }));

    it('passes a type without extra specs', () => {
      expect(passes({})).to.equal(true);
    });

    it('matches unscoped and capabilities-scoped keys with their operators', () => {
      expect(passes({ volume_backend_name: 'gold' })).to.equal(true);
      expect(passes({ volume_backend_name: 'silver' })).to.equal(false);
      expect(passes({ 'capabilities:compression': '<is> True' })).to.equal(true);
      expect(passes({ 'capabilities:iops': '>= 6000' })).to.equal(false);
      expect(passes({ iops: '>= 1000', volume_backend_name: 'gold' })).to.equal(true);
    });

    it('reads nested capabilities and any element of a list', () => {
      expect(passes({ 'capabilities:qos:level': 'high' })).to.equal(true);
      expect(passes({ 'capabilities:tiers': 'nvme' })).to.equal(true);
      expect(passes({ 'capabilities:tiers': 'hdd' })).to.equal(false);
    });

    it('ignores keys of other scopes and fails on a missing capability', () => {
      expect(passes({ 'provisioning:type': 'thick', 'vendor:feature': 'x' })).to.equal(true);
      expect(passes({ 'capabilities:replication': '<is> True' })).to.equal(false);
      expect(passes({ dedup: 'True' })).to.equal(false);
    });
  });

  describe('RetryFilter', () => {
    it('drops the backends that already failed the volume', () => {
      const b = backend({ host: 'node@b1', pool: 'b1' });
      expect(retryFilter.passes(b, request({ excludedHosts: ['node@b2'] }))).to.equal(true);
      expect(retryFilter.passes(b, request({ excludedHosts: ['node@b1'] }))).to.equal(false);
      expect(retryFilter.passes(b, request({ excludedHosts: ['node@b1#b1'] }))).to.equal(false);
    });
  });

  describe('ServiceStateFilter', () => {
    const filter = serviceStateFilter(60_000, () => NOW);

    it('keeps enabled backends with a recent heartbeat', () => {
      expect(filter.passes(backend({ heartbeatAt: new Date(NOW - 60_000) }), request())).to.equal(true);
    });

    it('drops backends whose heartbeat is older than the service down time', () => {
      expect(filter.passes(backend({ heartbeatAt: new Date(NOW - 60_001) }), request())).to.equal(false);
    });

    it('drops disabled services', () => {
      expect(filter.passes(backend({ disabled: true }), request())).to.equal(false);
    });
  });
});
