import { expect } from 'chai';
import { normalizeWeights } from '../../../scheduler/weighers/backend-weigher.js';
import { capacityWeigher } from '../../../scheduler/weighers/capacity-weigher.js';
import { backend, request } from './backend-fixture.js';

describe('scheduler weighers', () => {
  describe('CapacityWeigher', () => {
    const weigher = capacityWeigher(1);

    it('weighs thick backends by free space minus reserved', () => {
      const b = backend({ totalCapacityGb: 100, freeCapacityGb: 50, reservedPercentage: 10 });
      expect(weigher.weigh(b, request())).to.equal(40);
    });

    it('weighs thin backends by total × ratio − provisioned − reserved', () => {
      const b = backend({
        totalCapacityGb: 100,
        freeCapacityGb: 50,
        provisionedCapacityGb: 500,
        reservedPercentage: 10,
        thinProvisioningSupport: true,
        maxOverSubscriptionRatio: 20,
      });
      expect(weigher.weigh(b, request())).to.equal(1490);
      expect(weigher.weigh(b, request({ extraSpecs: { 'provisioning:type': 'thick' } }))).to.equal(40);
    });

    it('gives unmeasured capacities the lowest weight when spreading and the highest raw one when stacking', () => {
      const b = backend({ freeCapacityGb: 'unknown' });
      expect(weigher.weigh(b, request())).to.equal(-1);
      expect(capacityWeigher(-1).weigh(backend({ totalCapacityGb: 'infinite' }), request())).to.equal(Infinity);
    });

    it('carries the configured multiplier', () => {
      expect(capacityWeigher(2.5).multiplier).to.equal(2.5);
    });
  });

  describe('normalizeWeights', () => {
    it('maps weights to [0, 1] between the smallest and the largest', () => {
      expect(normalizeWeights([10, 20, 30])).to.deep.equal([0, 0.5, 1]);
    });

    it('gives equal weights 0', () => {
      expect(normalizeWeights([7, 7])).to.deep.equal([0, 0]);
      expect(normalizeWeights([])).to.deep.equal([]);
    });

    it('puts an infinite weight at 1, clearly above every finite one', () => {
      const [low, high, inf] = normalizeWeights([0, 10, Infinity]);
      expect(inf).to.equal(1);
      expect(low).to.equal(0);
      expect(high).to.be.greaterThan(0).and.lessThan(0.05);
      expect(normalizeWeights([Infinity, Infinity])).to.deep.equal([0, 0]);
    });
  });
});
