import { expect } from 'chai';
import { mkdtemp, rm, stat, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BackendConfig } from '../../../common/config.js';
import { DriverError } from '../../../common/errors.js';
import { newUuid } from '../../../common/ids.js';
import { FAIL_CREATE_CAPABILITY, FileVolumeDriver } from '../../../volume-worker/drivers/file.js';

const GIB = 1024 ** 3;

function backendAt(dir: string, overrides: Partial<BackendConfig> = {}): BackendConfig {
  return {
    name: 'unit',
    driver: 'file',
    path: dir,
    availabilityZone: 'nova',
    thinProvisioning: false,
    maxOverSubscriptionRatio: 20,
    reservedPercentage: 5,
    capabilities: {},
    ...overrides,
  };
}

describe('file volume driver', () => {
  let dir: string;
  let driver: FileVolumeDriver;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'floe-file-driver-'));
    driver = new FileVolumeDriver(backendAt(path.join(dir, 'backend'), { capacityGb: 10 }));
    await driver.setup();
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('creates a sparse file of the requested size, idempotently', async () => {
    const id = newUuid<string>();
    await driver.createVolume({ id, sizeGb: 2 });
    await driver.createVolume({ id, sizeGb: 2 });
    const info = await stat(driver.volumePath(id));
    expect(info.size).to.equal(2 * GIB);
    expect(info.blocks * 512).to.be.lessThan(GIB);
    expect(path.basename(driver.volumePath(id))).to.equal(`volume-${id}.img`);
  });

  it('keeps the data of a volume created again', async () => {
    const id = newUuid<string>();
    await driver.createVolume({ id, sizeGb: 1 });
    await writeFile(driver.volumePath(id), 'data', { flag: 'r+' });
    await driver.createVolume({ id, sizeGb: 1 });
    const info = await stat(driver.volumePath(id));
    expect(info.size).to.equal(GIB);
    expect(info.blocks).to.be.greaterThan(0);
  });

  it('extends only upwards and refuses a missing volume', async () => {
    const id = newUuid<string>();
    await driver.createVolume({ id, sizeGb: 1 });
    await driver.extendVolume({ id, sizeGb: 1 }, 3);
    expect(await driver.getVolumeSize({ id })).to.equal(3);
    await driver.extendVolume({ id, sizeGb: 3 }, 2);
    expect(await driver.getVolumeSize({ id })).to.equal(3);
    const missing = await driver.extendVolume({ id: newUuid(), sizeGb: 1 }, 2).catch((err: unknown) => err);
    expect(missing).to.be.instanceOf(DriverError);
  });

  it('deletes idempotently', async () => {
    const id = newUuid<string>();
    await driver.createVolume({ id, sizeGb: 1 });
    await driver.deleteVolume({ id });
    await driver.deleteVolume({ id });
    expect(await driver.getVolumeSize({ id })).to.equal(undefined);
  });

  it('refuses an id that is not a UUID rather than touch another path', async () => {
    const err = await driver.createVolume({ id: '../escape', sizeGb: 1 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DriverError);
  });

  it('reports thick stats: total capped by capacityGb, free after the provisioned sizes', async () => {
    await driver.createVolume({ id: newUuid(), sizeGb: 3 });
    await driver.createVolume({ id: newUuid(), sizeGb: 2 });
    const stats = await driver.getStats();
    expect(stats).to.include({
      total_capacity_gb: 10,
      free_capacity_gb: 5,
      provisioned_capacity_gb: 5,
      allocated_capacity_gb: 5,
      reserved_percentage: 5,
      thin_provisioning_support: false,
      thick_provisioning_support: true,
      max_over_subscription_ratio: 20,
      volume_backend_name: 'unit',
      pool_name: 'unit',
      storage_protocol: 'file',
      vendor_name: 'Floe',
      availability_zone: 'nova',
    });
    expect(stats.driver_version).to.be.a('string');
  });

  it('reports thin stats: free counts written blocks only, and extra capabilities', async () => {
    const thin = new FileVolumeDriver(backendAt(path.join(dir, 'thin'), { capacityGb: 10, thinProvisioning: true, capabilities: { tier: 'gold' } }));
    await thin.setup();
    await thin.createVolume({ id: newUuid(), sizeGb: 8 });
    const stats = await thin.getStats();
    expect(stats).to.include({ total_capacity_gb: 10, provisioned_capacity_gb: 8, thin_provisioning_support: true, tier: 'gold' });
    const fs = await statfs(dir);
    const expectedFree = Math.min((fs.bavail * fs.bsize) / GIB, 10);
    expect(stats.free_capacity_gb).to.be.closeTo(expectedFree, 0.05);
  });

  it('caps the total by the file system when no capacityGb is set', async () => {
    const uncapped = new FileVolumeDriver(backendAt(path.join(dir, 'uncapped')));
    await uncapped.setup();
    const stats = await uncapped.getStats();
    expect(stats.total_capacity_gb).to.be.greaterThan(0);
    expect(stats.free_capacity_gb).to.be.at.most(stats.total_capacity_gb);
  });

  it(`fails creates when the backend has the ${FAIL_CREATE_CAPABILITY} testing capability`, async () => {
    const failing = new FileVolumeDriver(backendAt(path.join(dir, 'failing'), { capabilities: { [FAIL_CREATE_CAPABILITY]: true } }));
    await failing.setup();
    const id = newUuid<string>();
    const err = await failing.createVolume({ id, sizeGb: 1 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DriverError);
    expect(await failing.getVolumeSize({ id })).to.equal(undefined);
  });
});
